#pragma once
#include <zlib.h>

// deflateInit2 is a function-like macro, which Swift cannot call: windowBits 15 + 16 asks zlib for a gzip
// wrapper (header and CRC-32 trailer) around the deflate stream, what `Content-Encoding: gzip` means.
static inline int ibq_gzip_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
