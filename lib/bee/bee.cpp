// BEE headers (KIB, PRDB) and the AES modes around them.

#include "rtprov/bee/bee.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <mbedtls/aes.h>

#include "rtprov/util/error.hpp"

namespace rtprov::bee {

namespace {

constexpr std::uint32_t kTagLow = 0x5F474154;   // "TAG_"
constexpr std::uint32_t kTagHigh = 0x52444845;  // "EHDR"
constexpr std::size_t kNonceOffset = 0x20;
constexpr std::size_t kReservedOffset = 0x30;
constexpr std::size_t kFacOffset = 0x50;
constexpr std::size_t kFacSize = 32;

// RAII around an mbedTLS AES context with a 128-bit key.
class Aes {
  public:
    Aes(const Key& key, bool encrypt) {
        mbedtls_aes_init(&ctx_);
        const int ret = encrypt ? mbedtls_aes_setkey_enc(&ctx_, key.data(), 128)
                                : mbedtls_aes_setkey_dec(&ctx_, key.data(), 128);
        if (ret != 0) {
            mbedtls_aes_free(&ctx_);
            throw Error(ErrorCode::Internal, fmt::format("AES key setup failed (-0x{:04X})",
                                                         static_cast<unsigned>(-ret)));
        }
    }
    ~Aes() { mbedtls_aes_free(&ctx_); }
    Aes(const Aes&) = delete;
    Aes& operator=(const Aes&) = delete;

    void ecb(int mode, std::span<std::uint8_t> data) {
        for (std::size_t at = 0; at + 16 <= data.size(); at += 16)
            check(mbedtls_aes_crypt_ecb(&ctx_, mode, data.data() + at, data.data() + at));
    }
    void cbc(int mode, Key iv, std::span<std::uint8_t> data) {
        check(mbedtls_aes_crypt_cbc(&ctx_, mode, data.size(), iv.data(), data.data(), data.data()));
    }
    void ctr(Key counter, std::span<std::uint8_t> data) {
        std::size_t offset = 0;
        std::uint8_t stream[16] = {};
        check(mbedtls_aes_crypt_ctr(&ctx_, data.size(), &offset, counter.data(), stream,
                                    data.data(), data.data()));
    }

  private:
    static void check(int ret) {
        if (ret != 0) {
            throw Error(ErrorCode::Internal,
                        fmt::format("AES failed (-0x{:04X})", static_cast<unsigned>(-ret)));
        }
    }
    mbedtls_aes_context ctx_;
};

std::string fac_text(std::size_t i, const Fac& f) {
    return fmt::format("FAC {} (0x{:08X}+0x{:X})", i, f.start, f.length);
}

bool all_zero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t v) { return v == 0; });
}

}  // namespace

std::string key_hex(const Key& key) {
    std::string out;
    for (auto b : key)
        out += fmt::format("{:02x}", b);
    return out;
}

void check_facs(std::span<const Fac> facs, const std::string& where) {
    if (facs.empty())
        throw Error(ErrorCode::BadInput, fmt::format("{}: no protected range (FAC)", where));
    if (facs.size() > kMaxFacsPerRegion) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {} FACs; a region holds at most {}",
                                                     where, facs.size(), kMaxFacsPerRegion));
    }
    for (std::size_t i = 0; i < facs.size(); ++i) {
        const Fac& f = facs[i];
        auto fail = [&](std::string_view why) {
            throw Error(ErrorCode::BadInput, fmt::format("{}: {}: {}", where, fac_text(i, f), why));
        };
        if (f.start % kBlockSize != 0)
            fail("start is not a multiple of 0x400");
        if (f.length == 0 || f.length % kBlockSize != 0)
            fail("length is not a non-zero multiple of 0x400");
        if (f.end() > 0x100000000ull)
            fail("ends beyond 4 GiB");
        if (f.protection > 3)
            fail(fmt::format("protection level {} (0..3)", f.protection));
        for (std::size_t j = 0; j < i; ++j) {
            if (f.start < facs[j].end() && facs[j].start < f.end())
                fail(fmt::format("overlaps {}", fac_text(j, facs[j])));
        }
    }
}

Bytes serialize_prdb(const Prdb& prdb) {
    Bytes out(kPrdbSize, 0);
    std::uint64_t start = UINT32_MAX, end = 0;
    for (const Fac& f : prdb.facs) {
        start = std::min<std::uint64_t>(start, f.start);
        end = std::max<std::uint64_t>(end, f.end());
    }
    if (prdb.facs.empty())
        start = 0;
    store_le32(&out[0x00], kTagLow);
    store_le32(&out[0x04], kTagHigh);
    store_le32(&out[0x08], kPrdbVersion);
    store_le32(&out[0x0C], static_cast<std::uint32_t>(prdb.facs.size()));
    store_le32(&out[0x10], static_cast<std::uint32_t>(start));
    store_le32(&out[0x14], static_cast<std::uint32_t>(end));
    store_le32(&out[0x18], prdb.mode);
    store_le32(&out[0x1C], prdb.lock);
    std::reverse_copy(prdb.nonce.begin(), prdb.nonce.end(), out.begin() + kNonceOffset);
    for (std::size_t i = 0; i < prdb.facs.size() && i < kMaxFacsPerRegion; ++i) {
        std::uint8_t* p = &out[kFacOffset + i * kFacSize];
        store_le32(p, prdb.facs[i].start);
        store_le32(p + 4, static_cast<std::uint32_t>(prdb.facs[i].end()));
        store_le32(p + 8, prdb.facs[i].protection);
    }
    return out;
}

Prdb parse_prdb(ByteView data, const std::string& where) {
    auto fail = [&](std::size_t offset, const std::string& why) -> void {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: PRDB offset 0x{:X}: {}", where, offset, why));
    };
    if (data.size() < kPrdbSize) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: PRDB of {} bytes, expected {}", where,
                                                     data.size(), kPrdbSize));
    }
    if (load_le32(&data[0]) != kTagLow || load_le32(&data[4]) != kTagHigh) {
        fail(0, fmt::format("tag {:08X} {:08X}, expected TAG_EHDR; a wrong key or not a BEE "
                            "header",
                            load_be32(&data[0]), load_be32(&data[4])));
    }
    if (load_le32(&data[8]) != kPrdbVersion) {
        fail(8,
             fmt::format("version 0x{:08X}, expected 0x{:08X}", load_le32(&data[8]), kPrdbVersion));
    }
    const std::uint32_t count = load_le32(&data[0x0C]);
    if (count == 0 || count > kMaxFacsPerRegion)
        fail(0x0C, fmt::format("FAC count {}, expected 1..{}", count, kMaxFacsPerRegion));
    Prdb p;
    p.start = load_le32(&data[0x10]);
    p.end = load_le32(&data[0x14]);
    p.mode = load_le32(&data[0x18]);
    p.lock = load_le32(&data[0x1C]);
    if (p.mode != kModeCtr)
        fail(0x18, fmt::format("mode {}, only 1 (AES-CTR) is supported", p.mode));
    std::reverse_copy(data.begin() + kNonceOffset, data.begin() + kNonceOffset + 16,
                      p.nonce.begin());
    if (!all_zero(ByteView(p.nonce).subspan(12)))
        fail(kNonceOffset, "the last four bytes of the counter nonce are not zero");
    if (!all_zero(data.subspan(kReservedOffset, kFacOffset - kReservedOffset)))
        fail(kReservedOffset, "reserved bytes are not zero");
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t at = kFacOffset + i * kFacSize;
        const std::uint32_t start = load_le32(&data[at]), end = load_le32(&data[at + 4]);
        if (end <= start)
            fail(at, fmt::format("FAC {} ends (0x{:08X}) at or before its start (0x{:08X})", i, end,
                                 start));
        if (!all_zero(data.subspan(at + 12, kFacSize - 12)))
            fail(at + 12, fmt::format("FAC {}: reserved bytes are not zero", i));
        p.facs.push_back(Fac{start, end - start, load_le32(&data[at + 8])});
    }
    check_facs(p.facs, where + ": PRDB");
    return p;
}

Bytes encrypt_header(const RegionHeader& header, const Key& region_key) {
    Bytes slot(kHeaderSize, 0);
    std::copy(header.kib.key.begin(), header.kib.key.end(), slot.begin());
    std::copy(header.kib.iv.begin(), header.kib.iv.end(), slot.begin() + 16);
    Aes(region_key, true).ecb(MBEDTLS_AES_ENCRYPT, std::span(slot).first(kKibSize));
    const Bytes prdb = serialize_prdb(header.prdb);
    std::copy(prdb.begin(), prdb.end(), slot.begin() + kPrdbOffset);
    Aes(header.kib.key, true)
        .cbc(MBEDTLS_AES_ENCRYPT, header.kib.iv, std::span(slot).subspan(kPrdbOffset, kPrdbSize));
    return slot;
}

RegionHeader decrypt_header(ByteView slot, const Key& region_key, const std::string& where) {
    if (slot.size() < kPrdbOffset + kPrdbSize) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: {} bytes, a BEE header needs {}", where,
                                                     slot.size(), kPrdbOffset + kPrdbSize));
    }
    Bytes kib(slot.begin(), slot.begin() + kKibSize);
    Aes(region_key, false).ecb(MBEDTLS_AES_DECRYPT, kib);
    RegionHeader h;
    std::copy(kib.begin(), kib.begin() + 16, h.kib.key.begin());
    std::copy(kib.begin() + 16, kib.end(), h.kib.iv.begin());
    Bytes prdb(slot.begin() + kPrdbOffset, slot.begin() + kPrdbOffset + kPrdbSize);
    Aes(h.kib.key, false).cbc(MBEDTLS_AES_DECRYPT, h.kib.iv, prdb);
    h.prdb = parse_prdb(prdb, where);
    return h;
}

bool looks_like_header(ByteView slot) {
    if (slot.size() < kHeaderSize)
        return false;
    return !all_zero(slot.first(kKibSize)) &&
           all_zero(slot.subspan(kKibSize, kPrdbOffset - kKibSize)) &&
           !all_zero(slot.subspan(kPrdbOffset, kPrdbSize)) &&
           all_zero(slot.subspan(kPrdbOffset + kPrdbSize));
}

void crypt_data(std::span<std::uint8_t> data, std::uint32_t address, const Prdb& prdb,
                const Key& region_key) {
    if (address % 16 != 0) {
        throw Error(ErrorCode::Internal,
                    fmt::format("BEE data at 0x{:08X} is not 16-byte aligned", address));
    }
    Aes aes(region_key, true);
    const std::uint64_t data_end = static_cast<std::uint64_t>(address) + data.size();
    for (const Fac& f : prdb.facs) {
        const std::uint64_t from = std::max<std::uint64_t>(f.start, address);
        const std::uint64_t to = std::min<std::uint64_t>(f.end(), data_end);
        if (from >= to)
            continue;
        Key counter = prdb.nonce;
        store_be32(&counter[12], static_cast<std::uint32_t>(from >> 4));
        aes.ctr(counter, data.subspan(from - address, to - from));
    }
}

}  // namespace rtprov::bee
