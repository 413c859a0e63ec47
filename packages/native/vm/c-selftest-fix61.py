#!/usr/bin/env python3
"""Makes Debian 6.1.192's tls.c build (vm/c-selftest.sh): its backported rekey and no-pad cases
call tls_crypto_info_init(version, cipher, &keys, key_generation), the 4-argument helper of newer
tls.c files, while the file's helper takes 3; and they call __test_passed(_metadata), which 6.1's
kselftest_harness.h does not have. The helper gets the key-generation argument (filling the keys
with it, as 7.2's does), 3-argument calls get 0, and __test_passed reads the metadata's `passed`.
"""
import sys

path = sys.argv[1]
src = open(path).read()
old = """static void tls_crypto_info_init(uint16_t tls_version, uint16_t cipher_type,
\t\t\t\t struct tls_crypto_info_keys *tls12)
{
\tmemset(tls12, 0, sizeof(*tls12));"""
new = """static void tls_crypto_info_init(uint16_t tls_version, uint16_t cipher_type,
\t\t\t\t struct tls_crypto_info_keys *tls12, char key_generation)
{
\tmemset(tls12, key_generation, sizeof(*tls12));
\tmemset(tls12, 0, sizeof(struct tls_crypto_info));"""
if old not in src:
    sys.exit("tls.c: the 3-argument tls_crypto_info_init is not there; nothing to fix?")
src = src.replace(old, new)
out, i, key = [], 0, "tls_crypto_info_init("
while True:
    j = src.find(key, i)
    if j < 0:
        out.append(src[i:])
        break
    k, depth, commas = j + len(key), 1, 0
    while depth:
        c = src[k]
        depth += c == "("
        depth -= c == ")"
        commas += c == "," and depth == 1
        k += 1
    call = src[j:k]
    if commas == 2 and not src[max(0, j - 12) : j].endswith("void "):
        call = call[:-1] + ", 0)"
    out.append(src[i:j])
    out.append(call)
    i = k
src = "".join(out)
harness = '#include "../kselftest_harness.h"\n'
if "__test_passed(struct" not in src and harness in src:
    src = src.replace(
        harness,
        harness
        + "static inline int __test_passed(struct __test_metadata *m) { return m->passed; }\n",
    )
open(path, "w").write(src)
