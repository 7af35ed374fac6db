// OTFAD key blobs (records of the table at offset 0) and the AES-CTR of the context ranges.

#include "rtprov/otfad/otfad.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <mbedtls/aes.h>
#include <mbedtls/platform_util.h>

#include "rtprov/otfad/key_wrap.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::otfad {

namespace {

constexpr std::size_t kPlainSize = 40;  // what the wrap covers
constexpr std::size_t kCrcCovered = 32;
constexpr std::uint32_t kEndFill = 0x3F8;  // end bits [9:3], set by SPSDK
constexpr std::uint32_t kFlagMask = 7;

// CRC-32/MPEG-2: polynomial 0x04C11DB7, initial value 0xFFFFFFFF, not reflected, no final XOR
// (SPSDK CrcAlg.CRC32_MPEG).
std::uint32_t crc32_mpeg2(ByteView data) {
    std::uint32_t crc = 0xFFFFFFFF;
    for (std::uint8_t b : data) {
        crc ^= static_cast<std::uint32_t>(b) << 24;
        for (int i = 0; i < 8; ++i)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

bool all_equal(ByteView b, std::uint8_t v) {
    return std::all_of(b.begin(), b.end(), [v](std::uint8_t x) { return x == v; });
}

class AesEcb {
  public:
    explicit AesEcb(const Key& key) {
        mbedtls_aes_init(&ctx_);
        if (mbedtls_aes_setkey_enc(&ctx_, key.data(), 128) != 0) {
            mbedtls_aes_free(&ctx_);
            throw Error(ErrorCode::Internal, "AES key setup failed");
        }
    }
    ~AesEcb() { mbedtls_aes_free(&ctx_); }
    AesEcb(const AesEcb&) = delete;
    AesEcb& operator=(const AesEcb&) = delete;
    void encrypt(const std::uint8_t in[16], std::uint8_t out[16]) {
        if (mbedtls_aes_crypt_ecb(&ctx_, MBEDTLS_AES_ENCRYPT, in, out) != 0)
            throw Error(ErrorCode::Internal, "AES block operation failed");
    }

  private:
    mbedtls_aes_context ctx_;
};

}  // namespace

Key scrambled_kek(const Key& kek, const std::optional<Scramble>& scramble, std::size_t record) {
    if (!scramble)
        return kek;
    Key k = kek;
    const std::size_t word = (scramble->align >> (2 * record)) & 3;
    for (std::size_t j = 0; j < 4; ++j)
        k[word * 4 + j] ^= static_cast<std::uint8_t>(scramble->mask >> (8 * j));
    return k;
}

Bytes key_blob_plain(const Context& c) {
    Bytes out(kPlainSize, 0);
    std::copy(c.key.begin(), c.key.end(), out.begin());
    std::copy(c.counter.begin(), c.counter.end(), out.begin() + 16);
    store_le32(&out[24], c.start);
    const std::uint32_t end =
        (c.end != 0 || c.flags != 0) ? ((c.end - 1) & ~kFlagMask) | c.flags | kEndFill : 0;
    store_le32(&out[28], end);
    // out[32..36): zero fill
    store_le32(&out[36], crc32_mpeg2(ByteView(out).first(kCrcCovered)));
    return out;
}

Bytes wrap_key_blob(const Context& context, const Key& kek) {
    Bytes plain = key_blob_plain(context);
    Bytes out = aes_key_wrap(kek, plain);
    mbedtls_platform_zeroize(plain.data(), plain.size());
    out.resize(kKeyBlobSize, 0);
    return out;
}

namespace {

std::optional<Bytes> unwrap_plain(ByteView record, const Key& kek) {
    if (record.size() < kWrappedSize)
        return std::nullopt;
    return aes_key_unwrap(kek, record.first(kWrappedSize));
}

}  // namespace

Context unwrap_key_blob(ByteView record, const Key& kek, const std::string& where) {
    const std::optional<Bytes> plain = unwrap_plain(record, kek);
    if (!plain) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: does not unwrap with this KEK (RFC 3394 integrity check "
                                "failed): another KEK, another part's key blob, or no key blob",
                                where));
    }
    Context c;
    std::copy_n(plain->begin(), 16, c.key.begin());
    std::copy_n(plain->begin() + 16, 8, c.counter.begin());
    c.start = load_le32(&(*plain)[24]);
    const std::uint32_t end = load_le32(&(*plain)[28]);
    c.flags = end & kFlagMask;
    c.end = end == 0 ? 0 : (end | 0x3FFu) + 1;  // the range ends at the end of its 1 KiB block
    if (c.end != 0 && (c.start % kRegionAlign != 0 || c.end <= c.start)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: range 0x{:08X}..0x{:08X} is not a 1 KiB aligned range", where,
                                c.start, end));
    }
    return c;
}

bool key_blob_crc_ok(ByteView record, const Key& kek) {
    const std::optional<Bytes> plain = unwrap_plain(record, kek);
    return plain && load_le32(&(*plain)[36]) == crc32_mpeg2(ByteView(*plain).first(kCrcCovered));
}

Bytes key_blob_table(std::span<const Context> contexts, const Key& kek,
                     const std::optional<Scramble>& scramble) {
    if (contexts.size() > kContexts) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{} OTFAD contexts; the RT1010 has {}", contexts.size(), kContexts));
    }
    Bytes table;
    for (std::size_t i = 0; i < kContexts; ++i) {
        const Context c = i < contexts.size() ? contexts[i] : Context{};
        const Bytes record = wrap_key_blob(c, scrambled_kek(kek, scramble, i));
        table.insert(table.end(), record.begin(), record.end());
    }
    return table;
}

std::vector<Context> read_key_blob_table(ByteView table, const Key& kek,
                                         const std::optional<Scramble>& scramble,
                                         const std::string& where) {
    if (table.size() < kTableSize) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {} bytes, an OTFAD key blob table has {}",
                                                     where, table.size(), kTableSize));
    }
    std::vector<Context> out;
    for (std::size_t i = 0; i < kContexts; ++i) {
        out.push_back(unwrap_key_blob(table.subspan(i * kKeyBlobSize, kKeyBlobSize),
                                      scrambled_kek(kek, scramble, i),
                                      fmt::format("{}: key blob {} at offset 0x{:X}", where, i,
                                                  i * kKeyBlobSize)));
    }
    return out;
}

bool looks_like_key_blob_table(ByteView image) {
    if (image.size() < kTableSize)
        return false;
    for (std::size_t i = 0; i < kContexts; ++i) {
        const ByteView r = image.subspan(i * kKeyBlobSize, kKeyBlobSize);
        if (all_equal(r.first(kWrappedSize), 0) || all_equal(r.first(kWrappedSize), 0xFF) ||
            !all_equal(r.subspan(kWrappedSize), 0))
            return false;
    }
    return true;
}

void crypt_data(std::span<std::uint8_t> data, std::uint32_t address,
                std::span<const Context> contexts) {
    if (address % 16 != 0) {
        throw Error(ErrorCode::Internal,
                    fmt::format("OTFAD data at 0x{:08X} is not 16-byte aligned", address));
    }
    const std::uint64_t data_end = static_cast<std::uint64_t>(address) + data.size();
    for (const Context& c : contexts) {
        if (!c.decrypts())
            continue;
        const std::uint64_t from = std::max<std::uint64_t>(c.start, address);
        const std::uint64_t to = std::min<std::uint64_t>(c.end, data_end);
        if (from >= to)
            continue;
        AesEcb aes(c.key);
        std::uint8_t counter[16], stream[16];
        std::copy(c.counter.begin(), c.counter.end(), counter);
        for (std::size_t i = 0; i < 4; ++i)
            counter[8 + i] = c.counter[i] ^ c.counter[4 + i];
        for (std::uint64_t at = from; at < to; at += 16) {
            store_be32(&counter[12], static_cast<std::uint32_t>(at));
            aes.encrypt(counter, stream);
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(16, to - at));
            for (std::size_t j = 0; j < n; ++j)
                data[at - address + j] ^= stream[j];
        }
        mbedtls_platform_zeroize(stream, sizeof stream);
    }
}

}  // namespace rtprov::otfad
