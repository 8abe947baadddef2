#pragma once
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

// Macros Swift cannot import, as functions.
static inline void ibq_openssl_free(void *p) { OPENSSL_free(p); }
static inline long ibq_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
