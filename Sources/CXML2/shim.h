#pragma once
#include <stdint.h>

// Debian builds libxml2 with ICU, so <libxml/encoding.h> includes the system's <unicode/ucnv.h>. Swift's
// Foundation carries its own, newer ICU (_FoundationICU) whose UErrorCode has more members; a Swift module
// that sees both fails to build ("... is not present in definition of 'enum UErrorCode' in module
// 'CXML2'"), depending on which module clang loads first. Nothing here uses ICU: keep its headers out
// and give libxml2's encoding structs stand-in names for the two ICU types they point at (same layout:
// an opaque converter pointer and 16-bit code units).
#define UCNV_H
#define UConverter IBQXMLUConverter
#define UChar IBQXMLUChar
typedef struct IBQXMLUConverter IBQXMLUConverter;
typedef uint16_t IBQXMLUChar;

#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#undef UConverter
#undef UChar
