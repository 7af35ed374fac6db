#include "rtprov/hab/srk.hpp"

#include <fmt/format.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "pki_internal.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::hab {

namespace {

Bytes mpi_bytes(const mbedtls_mpi& value, std::size_t size) {
    Bytes out(size);
    if (mbedtls_mpi_write_binary(&value, out.data(), out.size()) != 0)
        throw Error(ErrorCode::Internal, "SRK: big number does not fit its field");
    return out;
}

std::uint8_t curve_id(mbedtls_ecp_group_id group) {
    switch (group) {
        case MBEDTLS_ECP_DP_SECP256R1:
            return kSrkCurveP256;
        case MBEDTLS_ECP_DP_SECP384R1:
            return kSrkCurveP384;
        case MBEDTLS_ECP_DP_SECP521R1:
            return kSrkCurveP521;
        default:
            throw Error(ErrorCode::BadInput,
                        "unsupported elliptic curve (HAB takes P-256, P-384 or P-521)");
    }
}

void put_header(Bytes& out, std::uint8_t tag, std::size_t length, std::uint8_t param) {
    out.push_back(tag);
    append_be16(out, static_cast<std::uint16_t>(length));
    out.push_back(param);
}

SrkHash sha256_of(ByteView data) {
    SrkHash digest{};
    mbedtls_sha256_ret(data.data(), data.size(), digest.data(), 0);
    return digest;
}

SrkKey parse_item(ByteView table, std::size_t offset) {
    const auto fail = [&](const std::string& what) {
        return Error(ErrorCode::BadInput,
                     fmt::format("SRK table: key at offset 0x{:X}: {}", offset, what));
    };
    if (table.size() - offset < 4)
        throw fail(fmt::format("needs a 4-byte header, {} bytes remain", table.size() - offset));
    const std::uint8_t* p = table.data() + offset;
    SrkKey key;
    key.tag = p[0];
    key.offset = static_cast<std::uint32_t>(offset);
    const std::size_t length = load_be16(p + 1);
    if (key.tag != kSrkKeyTag && key.tag != kSrkHashStubTag)
        throw fail(fmt::format("tag 0x{:02X} is not a key (0xE1) or a key hash (0xEE)", key.tag));
    if (length < 4 || length > table.size() - offset)
        throw fail(fmt::format("length 0x{:X} does not fit the table ({} bytes remain)", length,
                               table.size() - offset));
    key.item.assign(p, p + length);
    key.algorithm = p[3];
    if (key.tag == kSrkHashStubTag)
        return key;
    if (length < 12)
        throw fail(fmt::format("length 0x{:X} is shorter than the 12-byte key header", length));
    key.flags = p[7];
    if (key.algorithm == kSrkAlgRsa) {
        const std::size_t n = load_be16(p + 8);
        const std::size_t e = load_be16(p + 10);
        if (12 + n + e != length)
            throw fail(
                fmt::format("modulus ({}) and exponent ({}) lengths do not add up to the "
                            "item length 0x{:X}",
                            n, e, length));
        key.modulus.assign(p + 12, p + 12 + n);
        key.exponent.assign(p + 12 + n, p + 12 + n + e);
    } else if (key.algorithm == kSrkAlgEcdsa) {
        key.curve = p[8];
        const std::size_t coordinate = (load_be16(p + 10) + 7u) / 8u;
        if (12 + 2 * coordinate != length)
            throw fail(fmt::format("two {}-byte coordinates do not fill the item length 0x{:X}",
                                   coordinate, length));
        key.modulus.assign(p + 12, p + 12 + coordinate);
        key.exponent.assign(p + 12 + coordinate, p + length);
    } else {
        throw fail(fmt::format("algorithm 0x{:02X} is neither RSA (0x21) nor ECDSA (0x27)",
                               key.algorithm));
    }
    return key;
}

}  // namespace

Bytes build_srk_item(ByteView certificate_der) {
    detail::X509Cert cert;
    cert.parse_der(certificate_der, "SRK certificate");
    const mbedtls_x509_crt* crt = cert.get();
    // SPSDK and srktool mark a key as CA from keyUsage keyCertSign.
    const bool ca = (crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) != 0 &&
                    (crt->key_usage & MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0;
    const std::uint8_t flags = ca ? kSrkFlagCa : 0;
    Bytes item;
    const mbedtls_pk_context* pk = &crt->pk;
    const mbedtls_pk_type_t type = mbedtls_pk_get_type(pk);
    if (type == MBEDTLS_PK_RSA) {
        const mbedtls_rsa_context* rsa = mbedtls_pk_rsa(*pk);
        const Bytes n = mpi_bytes(rsa->N, mbedtls_mpi_size(&rsa->N));
        const Bytes e = mpi_bytes(rsa->E, mbedtls_mpi_size(&rsa->E));
        put_header(item, kSrkKeyTag, 12 + n.size() + e.size(), kSrkAlgRsa);
        item.insert(item.end(), {0, 0, 0, flags});
        append_be16(item, static_cast<std::uint16_t>(n.size()));
        append_be16(item, static_cast<std::uint16_t>(e.size()));
        item.insert(item.end(), n.begin(), n.end());
        item.insert(item.end(), e.begin(), e.end());
    } else if (type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA) {
        const mbedtls_ecp_keypair* ec = mbedtls_pk_ec(*pk);
        const std::size_t bits = ec->grp.pbits;
        const std::size_t size = (bits + 7) / 8;
        const std::uint8_t curve = curve_id(ec->grp.id);
        put_header(item, kSrkKeyTag, 12 + 2 * size, kSrkAlgEcdsa);
        item.insert(item.end(), {0, 0, 0, flags, curve, 0});
        append_be16(item, static_cast<std::uint16_t>(bits));
        const Bytes x = mpi_bytes(ec->Q.X, size);
        const Bytes y = mpi_bytes(ec->Q.Y, size);
        item.insert(item.end(), x.begin(), x.end());
        item.insert(item.end(), y.begin(), y.end());
    } else {
        throw Error(ErrorCode::BadInput, "SRK certificate: the key is neither RSA nor ECC");
    }
    return item;
}

Bytes build_srk_table(std::span<const Bytes> certificate_ders, std::uint8_t version) {
    if (certificate_ders.empty() || certificate_ders.size() > kSrkMaxKeys) {
        throw Error(ErrorCode::Usage,
                    fmt::format("an SRK table holds 1 to 4 keys, {} certificates given",
                                certificate_ders.size()));
    }
    Bytes items;
    for (std::size_t i = 0; i < certificate_ders.size(); ++i) {
        const Bytes item = with_context(fmt::format("certificate {}", i + 1),
                                        [&] { return build_srk_item(certificate_ders[i]); });
        items.insert(items.end(), item.begin(), item.end());
    }
    Bytes table;
    put_header(table, kSrkTableTag, 4 + items.size(), version);
    table.insert(table.end(), items.begin(), items.end());
    return table;
}

SrkTable parse_srk_table(ByteView table) {
    if (table.size() < 4) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("SRK table: needs a 4-byte header, {} bytes given", table.size()));
    }
    if (table[0] != kSrkTableTag) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("SRK table: tag 0x{:02X} at offset 0, expected 0xD7", table[0]));
    }
    const std::size_t length = load_be16(table.data() + 1);
    if (length < 4 || length > table.size()) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("SRK table: length 0x{:X} at offset 1 exceeds the {} bytes given",
                                length, table.size()));
    }
    SrkTable result;
    result.version = table[3];
    const ByteView body = table.first(length);
    std::size_t offset = 4;
    while (offset < length) {
        if (result.keys.size() == kSrkMaxKeys) {
            throw Error(
                ErrorCode::BadInput,
                fmt::format("SRK table: more than 4 keys (fifth at offset 0x{:X})", offset));
        }
        result.keys.push_back(parse_item(body, offset));
        offset += result.keys.back().item.size();
    }
    if (result.keys.empty())
        throw Error(ErrorCode::BadInput, "SRK table: holds no keys");
    return result;
}

SrkHash srk_fuse_hash(ByteView table) {
    const SrkTable parsed = parse_srk_table(table);
    Bytes digests;
    for (const SrkKey& key : parsed.keys) {
        if (key.tag == kSrkHashStubTag) {
            // A stub already holds the digest of the key it replaces.
            digests.insert(digests.end(), key.item.begin() + 4, key.item.end());
        } else {
            const SrkHash d = sha256_of(key.item);
            digests.insert(digests.end(), d.begin(), d.end());
        }
    }
    return sha256_of(digests);
}

SrkFuseWords srk_fuse_words(const SrkHash& hash) noexcept {
    SrkFuseWords words{};
    for (std::size_t i = 0; i < words.size(); ++i)
        words[i] = load_le32(hash.data() + 4 * i);
    return words;
}

SrkHash srk_hash_from_words(const SrkFuseWords& words) noexcept {
    SrkHash hash{};
    for (std::size_t i = 0; i < words.size(); ++i)
        store_le32(hash.data() + 4 * i, words[i]);
    return hash;
}

SrkFuseWords parse_srk_fuse_words(std::string_view text) {
    SrkFuseWords words{};
    std::size_t count = 0;
    while (true) {
        const std::size_t comma = text.find(',');
        std::string_view word = text.substr(0, comma);
        while (!word.empty() && word.front() == ' ')
            word.remove_prefix(1);
        while (!word.empty() && word.back() == ' ')
            word.remove_suffix(1);
        const std::string hex = word.starts_with("0x") || word.starts_with("0X")
                                    ? std::string(word)
                                    : "0x" + std::string(word);
        const auto value = parse_uint(hex);
        if (count == words.size() || !value || *value > 0xFFFFFFFFu || word.empty()) {
            throw Error(ErrorCode::Usage,
                        fmt::format("SRK fuse words: word {} \"{}\" is not a 32-bit hex number "
                                    "(expected 8 comma-separated words)",
                                    count + 1, word));
        }
        words[count++] = static_cast<std::uint32_t>(*value);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    if (count != words.size()) {
        throw Error(ErrorCode::Usage,
                    fmt::format("SRK fuse words: {} words given, expected 8", count));
    }
    return words;
}

std::string format_fuse_word(std::uint32_t word) {
    return fmt::format("0x{:08x}", word);
}

std::string hash_hex(ByteView hash) {
    std::string out;
    for (std::uint8_t b : hash)
        out += fmt::format("{:02x}", b);
    return out;
}

}  // namespace rtprov::hab
