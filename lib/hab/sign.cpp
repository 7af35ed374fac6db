#include "rtprov/hab/sign.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "rtprov/boot/image.hpp"
#include "rtprov/boot/ivt.hpp"
#include "rtprov/hab/cms.hpp"
#include "rtprov/hab/encrypt.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::hab {
namespace {

constexpr std::uint32_t kCsfAlign = 0x1000;
constexpr std::uint32_t kAppAlign = 16;
constexpr std::uint32_t kIvtBlockSize = 0x40;  // IVT + boot data
constexpr std::size_t kDataAlign = 4;
constexpr int kMaxLayoutPasses = 8;  // ECDSA signature sizes may change between passes

struct Material {
    Bytes srk_table;
    Certificate csf_cert, img_cert;
    PrivateKey csf_key, img_key;
};

Bytes load_srk_table(const SignSettings& s) {
    if (s.srk_table && !s.srk_certs.empty())
        throw Error(ErrorCode::Usage, "give either --srk-certs or --srk-table, not both");
    if (s.srk_table)
        return read_file_limited(*s.srk_table, kMaxKeyFile);
    if (s.srk_certs.empty() || s.srk_certs.size() > kSrkMaxKeys)
        throw Error(ErrorCode::Usage, fmt::format("--srk-certs takes 1 to 4 certificates, not {}",
                                                  s.srk_certs.size()));
    std::vector<Bytes> ders;
    for (const auto& path : s.srk_certs)
        ders.push_back(load_certificate(path).der);
    return build_srk_table(ders);
}

PrivateKey load_key_for(const std::filesystem::path& key_path, const Certificate& cert,
                        const std::filesystem::path& cert_path, const SignSettings& s) {
    PrivateKey key = PrivateKey::load(key_path, s.key_password);
    if (!key.matches(cert)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: the private key does not belong to the certificate {}",
                                key_display_name(key_path), key_display_name(cert_path)));
    }
    return key;
}

Material load_material(const SignSettings& s) {
    Bytes table = load_srk_table(s);
    const SrkTable parsed = parse_srk_table(table);
    const std::size_t keys = parsed.keys.size();
    if (s.srk_index >= keys) {
        throw Error(ErrorCode::Usage,
                    fmt::format("--srk-index {} is out of range: the SRK table has {} key{} "
                                "(0..{})",
                                s.srk_index, keys, keys == 1 ? "" : "s", keys - 1));
    }
    Certificate csf_cert = load_certificate(s.csf_cert);
    // Fast authentication: the boot ROM checks every signature with SRK srk_index itself.
    if (s.nocak && build_srk_item(csf_cert.der) != parsed.keys[s.srk_index].item) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: --nocak signs with SRK {}'s own key, but this certificate is "
                                "not SRK {} of the table",
                                key_display_name(s.csf_cert), s.srk_index, s.srk_index));
    }
    const std::filesystem::path& img_cert_path = s.nocak ? s.csf_cert : s.img_cert;
    const std::filesystem::path& img_key_path = s.nocak ? s.csf_key : s.img_key;
    Certificate img_cert = load_certificate(img_cert_path);
    PrivateKey csf_key = load_key_for(s.csf_key, csf_cert, s.csf_cert, s);
    PrivateKey img_key = load_key_for(img_key_path, img_cert, img_cert_path, s);
    return Material{std::move(table), std::move(csf_cert), std::move(img_cert), std::move(csf_key),
                    std::move(img_key)};
}

// Where everything goes, in memory addresses and output-file offsets.
struct Layout {
    std::uint32_t image_start = 0;  // boot data start after any relocation
    std::uint32_t delta = 0;        // relocation added to input addresses (mod 2^32)
    std::uint32_t ivt_address = 0;
    std::uint32_t app_address = 0;
    std::uint32_t app_size = 0;  // unpadded, as in the input
    std::uint32_t csf_address = 0;
    std::uint32_t out_address = 0;  // memory address of output byte 0
    std::uint32_t in_end = 0;       // input file offset where the load ends
    std::optional<Block> dcd;
};

// NXP places the app at the initial load size, which follows from the IVT offset (spec
// boot-image.md 4); other layouts fall back to what the parser found.
std::optional<std::uint32_t> initial_load_size(std::uint32_t ivt_offset) {
    switch (ivt_offset) {
        case 0x000:
            return 0x400;
        case 0x400:
            return 0x1000;
        case 0x1000:
            return 0x2000;
        default:
            return std::nullopt;
    }
}

Layout plan(const boot::ParsedImage& p, std::size_t file_size, const SignSettings& s,
            const std::string& name) {
    if (p.ivt.csf != 0) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: already signed (the IVT points at a CSF at 0x{:08X})", name,
                                p.ivt.csf));
    }
    // The load ends at the boot data end or the file end, whichever comes first.
    const std::uint64_t end =
        std::min<std::uint64_t>(std::uint64_t{p.file_address} + file_size,
                                std::uint64_t{p.boot_data.start} + p.boot_data.length);
    const std::uint32_t headers_end =
        p.ivt.self + static_cast<std::uint32_t>(boot::kDcdOffsetFromIvt) + p.dcd_size;
    std::optional<std::uint32_t> app;
    if (s.initial_load_size) {
        if (std::uint64_t{p.boot_data.start} + *s.initial_load_size < headers_end) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: initial load size 0x{:X} ends inside the IVT, boot data "
                                    "or DCD (they end at offset 0x{:X})",
                                    name, *s.initial_load_size, headers_end - p.boot_data.start));
        }
        app = p.boot_data.start + *s.initial_load_size;
    } else if (const auto load = initial_load_size(p.ivt.self - p.boot_data.start);
               load && p.boot_data.start + *load >= headers_end) {
        app = p.boot_data.start + *load;
    } else if (p.app_file_offset) {
        app = p.app_address;
    }
    if (!app || *app >= end)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: no application found after the IVT", name));
    Layout l;
    l.image_start = s.image_address.value_or(p.boot_data.start);
    l.delta = l.image_start - p.boot_data.start;
    l.ivt_address = p.ivt.self + l.delta;
    l.app_address = *app + l.delta;
    l.app_size = static_cast<std::uint32_t>(end - *app);
    const std::uint64_t load_end = std::uint64_t{l.app_address} - l.image_start + l.app_size;
    // NXP: the first 4 KiB boundary strictly above initial load size + app (spec 4).
    const std::uint64_t csf_offset = align_up(load_end + 1, kCsfAlign);
    l.csf_address = static_cast<std::uint32_t>(l.image_start + csf_offset);
    l.out_address = (s.padding ? p.file_address + l.delta : l.ivt_address);
    l.in_end = static_cast<std::uint32_t>(end - p.file_address);
    if (p.dcd_file_offset)
        l.dcd = Block{p.ivt.dcd + l.delta, p.dcd_size};
    return l;
}

// Copies the input into the output frame and rewrites the IVT and boot data for the CSF.
Bytes frame_output(ByteView input, const boot::ParsedImage& p, const Layout& l, bool encrypted) {
    Bytes out(l.csf_address + kCsfSize - l.out_address, 0);
    const std::uint32_t in_from = l.out_address - l.delta - p.file_address;
    std::copy(input.begin() + in_from, input.begin() + l.in_end, out.begin());

    boot::Ivt ivt = p.ivt;
    ivt.self = l.ivt_address;
    ivt.boot_data = p.ivt.boot_data + l.delta;
    if (ivt.dcd != 0)
        ivt.dcd += l.delta;
    ivt.csf = l.csf_address;
    boot::BootData bd = p.boot_data;
    bd.start = l.image_start;
    bd.length = l.csf_address - l.image_start + kCsfSize + (encrypted ? kKeyBlobSize : 0);
    const std::uint32_t ivt_off = l.ivt_address - l.out_address;
    const Bytes ivt_bytes = boot::serialize(ivt);
    std::copy(ivt_bytes.begin(), ivt_bytes.end(), out.begin() + ivt_off);
    // Only the three boot data words change; the padding after them stays as in the input.
    store_le32(&out[ivt_off + boot::kIvtSize], bd.start);
    store_le32(&out[ivt_off + boot::kIvtSize + 4], bd.length);
    store_le32(&out[ivt_off + boot::kIvtSize + 8], bd.plugin);
    return out;
}

ByteView view_of(const Bytes& out, const Layout& l, const Block& b) {
    return ByteView(out).subspan(b.address - l.out_address, b.length);
}

Bytes concat_blocks(const Bytes& out, const Layout& l, const std::vector<Block>& blocks) {
    Bytes data;
    for (const Block& b : blocks) {
        const ByteView v = view_of(out, l, b);
        data.insert(data.end(), v.begin(), v.end());
    }
    return data;
}

std::uint8_t u8(std::uint32_t v) {
    return static_cast<std::uint8_t>(v);
}

// Data area items, in NXP's order.
enum Item : std::size_t { kSrk, kCsfkCert, kCsfSig, kImgCert, kImgSig, kMac };

struct CsfInputs {
    std::vector<Block> auth_blocks;
    std::vector<Block> decrypt_blocks;  // empty unless encrypted
    std::uint32_t key_blob_address = 0;
};

Csf build_csf(const SignSettings& s, const CsfInputs& in, const std::vector<std::uint32_t>& off) {
    namespace ik = install_key_flags;
    auto at = [&off](Item i) { return i < off.size() ? off[i] : 0u; };
    Csf csf{s.csf_version, {}};
    csf.commands.push_back(
        InstallKey{ik::kClear, Format::Srk, Algorithm::Sha256, u8(s.srk_index), 0, at(kSrk), {}});
    // Fast authentication (Install NOCAK): no key is installed after the SRK and no certificate
    // goes into the data area; the SRK's key signs the CSF and the image (key index 0), as
    // SPSDK's hab export writes it.
    if (!s.nocak) {
        csf.commands.push_back(
            InstallKey{ik::kCsf, Format::X509, Algorithm::Any, 0, 1, at(kCsfkCert), {}});
    }
    csf.commands.push_back(AuthenticateData{
        auth_data_flags::kClear, 1, Format::Cms, s.engine, s.engine_config, at(kCsfSig), {}});
    if (!s.nocak) {
        csf.commands.push_back(
            InstallKey{ik::kClear, Format::X509, Algorithm::Any, 0, 2, at(kImgCert), {}});
    }
    csf.commands.push_back(AuthenticateData{auth_data_flags::kClear, u8(s.nocak ? 0 : 2),
                                            Format::Cms, s.engine, s.engine_config, at(kImgSig),
                                            in.auth_blocks});
    // NXP's order (hab-export reference): Set Engine and Unlock after Authenticate Data.
    if (s.set_engine)
        csf.commands.push_back(*s.set_engine);
    for (Unlock u : s.unlocks) {
        if (u.uid.empty() && unlock_needs_uid(u.engine, u.features))
            u.uid.assign(8, 0);  // no UID given: zero, as SPSDK writes it
        csf.commands.push_back(u);
    }
    if (!in.decrypt_blocks.empty()) {
        csf.commands.push_back(
            InstallKey{ik::kAbsolute, Format::Blob, Algorithm::Any, 0, 0, in.key_blob_address, {}});
        csf.commands.push_back(AuthenticateData{auth_data_flags::kClear, 0, Format::Aead, s.engine,
                                                s.engine_config, at(kMac), in.decrypt_blocks});
    }
    return csf;
}

// Each item starts at the next 4-aligned offset after the previous one (SPSDK seg_csf.py).
std::vector<std::uint32_t> data_offsets(std::size_t start, const std::vector<Bytes>& items) {
    std::vector<std::uint32_t> off;
    std::size_t pos = start;
    for (const Bytes& item : items) {
        pos = align_up(pos, kDataAlign);
        off.push_back(static_cast<std::uint32_t>(pos));
        pos += item.size();
    }
    return off;
}

// Builds the CSF commands and data area, signing the CSF until its layout is stable.
Bytes assemble_csf(const SignSettings& s, const Material& m, const CsfInputs& in,
                   std::vector<Bytes> items, std::time_t time, std::uint32_t& csf_length) {
    const std::size_t header_len = serialize_csf(build_csf(s, in, {})).size();
    for (int pass = 0; pass < kMaxLayoutPasses; ++pass) {
        const auto off = data_offsets(header_len, items);
        const Bytes commands = serialize_csf(build_csf(s, in, off));
        Bytes sig = make_signature_block(cms_sign(commands, m.csf_key, m.csf_cert, time));
        if (sig.size() != items[kCsfSig].size()) {
            items[kCsfSig] = std::move(sig);
            continue;
        }
        items[kCsfSig] = std::move(sig);
        const std::size_t end = off.back() + items.back().size();
        if (end > kCsfSize) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("the CSF needs {} bytes, more than its 0x{:X}-byte region", end,
                                    kCsfSize));
        }
        Bytes area(kCsfSize, 0);
        std::copy(commands.begin(), commands.end(), area.begin());
        for (std::size_t i = 0; i < items.size(); ++i)
            std::copy(items[i].begin(), items[i].end(), area.begin() + off[i]);
        csf_length = static_cast<std::uint32_t>(commands.size());
        return area;
    }
    throw Error(ErrorCode::Internal,
                "the CSF layout did not settle (signature sizes keep changing)");
}

// The boot ROM's check, run offline on what was just signed (issue 18): a CSF certificate that
// SRK srk_index did not issue, a key that does not match, or anything else the ROM would reject
// stops here rather than at a closed board. Checked against the table signed with, and with the
// DEK when encrypting, so every check (MAC included) runs.
void verify_signed(const SignResult& r, const std::string& name, const SignSettings& s,
                   const SrkHash& hash) {
    VerifyOptions options;
    options.fuse_hash = hash;
    if (s.encrypt)
        options.dek = s.encrypt->dek;
    const VerifyReport report = verify_image(r.data, name, options);
    if (report.ok())
        return;
    const std::vector<std::string> failures = report.failures();
    const std::size_t more = failures.size() - 1;
    throw Error(ErrorCode::Verification,
                fmt::format("{}: the signed image does not verify against its SRK table "
                            "(srk_index {}): {}{}",
                            name, s.srk_index, failures.front(),
                            more == 0 ? std::string()
                                      : fmt::format("; {} later check{} also failed", more,
                                                    more == 1 ? "" : "s")));
}

// HAB's Decrypt Data decrypts in place what the ROM loaded into RAM: an image executed in place
// from NOR flash stays ciphertext there. NXP's tools offer HAB encryption only for images the ROM
// copies to RAM; encrypted XIP is BEE's (OTFAD's on the RT1010).
void refuse_xip_encryption(std::uint32_t image_start, const std::string& name) {
    struct Window {
        std::uint32_t start, end;
        const char* name;
    };
    static constexpr Window kXip[] = {{0x60000000, 0x7FFFFFFF, "FlexSPI"},
                                      {0x90000000, 0x9FFFFFFF, "SEMC NOR"}};
    for (const Window& w : kXip) {
        if (image_start >= w.start && image_start <= w.end) {
            throw Error(
                ErrorCode::Usage,
                fmt::format("{}: HAB encryption of an image executed in place from {} flash "
                            "(boot data start 0x{:08X}): the boot ROM decrypts only what it "
                            "copies to RAM, so this image would never boot. For encrypted XIP use "
                            "BEE (a bee: section; RT1020..RT1064) or OTFAD (RT1010), or link the "
                            "app into RAM (OCRAM, DTCM or SDRAM) and keep hab.encrypt",
                            name, w.name, image_start));
        }
    }
}

}  // namespace

SignResult sign_image(ByteView unsigned_image, const std::string& name,
                      const SignSettings& settings) {
    const boot::ParsedImage parsed = boot::parse_boot_image(unsigned_image, name);
    const Layout layout = plan(parsed, unsigned_image.size(), settings, name);
    if (settings.encrypt)
        refuse_xip_encryption(layout.image_start, name);
    const Material m = load_material(settings);
    const std::time_t time = settings.signature_time.value_or(std::time(nullptr));
    const bool encrypted = settings.encrypt.has_value();

    SignResult r;
    r.data = frame_output(unsigned_image, parsed, layout, encrypted);
    r.address = layout.out_address;
    r.ivt_address = layout.ivt_address;
    r.csf_address = layout.csf_address;
    r.srk_table = m.srk_table;
    const SrkHash hash = srk_fuse_hash(m.srk_table);
    r.srk_hash.assign(hash.begin(), hash.end());

    const Block app{layout.app_address,
                    static_cast<std::uint32_t>(align_up(layout.app_size, kAppAlign))};
    CsfInputs in;
    in.auth_blocks.push_back(Block{layout.ivt_address, kIvtBlockSize});
    if (layout.dcd)
        in.auth_blocks.push_back(*layout.dcd);

    std::vector<Bytes> items{m.srk_table,
                             settings.nocak ? Bytes{} : make_certificate_block(m.csf_cert.der),
                             {},
                             settings.nocak ? Bytes{}  // no image key: an empty item
                                            : make_certificate_block(m.img_cert.der)};
    if (encrypted) {
        const EncryptSettings& e = *settings.encrypt;
        r.nonce = e.nonce.value_or(random_bytes(ccm_nonce_size(app.length)));
        const std::size_t app_off = app.address - layout.out_address;
        CcmResult enc = ccm_encrypt(e.dek, r.nonce, ByteView(r.data).subspan(app_off, app.length));
        std::copy(enc.ciphertext.begin(), enc.ciphertext.end(), r.data.begin() + app_off);
        r.mac = enc.mac;
        in.decrypt_blocks.push_back(app);
        in.key_blob_address = layout.csf_address + kCsfSize;
        r.key_blob_address = in.key_blob_address;
        r.encrypted_blocks = in.decrypt_blocks;
    } else {
        in.auth_blocks.push_back(app);
    }
    r.signed_blocks = in.auth_blocks;

    const Bytes signed_data = concat_blocks(r.data, layout, in.auth_blocks);
    items.push_back(make_signature_block(cms_sign(signed_data, m.img_key, m.img_cert, time)));
    if (encrypted)
        items.push_back(make_mac_block(r.nonce, r.mac));

    const Bytes csf = assemble_csf(settings, m, in, std::move(items), time, r.csf_length);
    std::copy(csf.begin(), csf.end(), r.data.begin() + (layout.csf_address - layout.out_address));
    verify_signed(r, name, settings, hash);
    return r;
}

std::time_t parse_signature_time(std::string_view text) {
    auto fail = [&text]() {
        return Error(
            ErrorCode::Usage,
            fmt::format("invalid signature time '{}': expected YYYY-MM-DDTHH:MM:SSZ (UTC)", text));
    };
    // Digits at fixed positions, separators between them.
    static constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:dd";
    if (text.size() < kPattern.size())
        throw fail();
    for (std::size_t i = 0; i < kPattern.size(); ++i) {
        const char c = text[i];
        const bool ok = kPattern[i] == 'd' ? (c >= '0' && c <= '9')
                                           : (c == kPattern[i] || (i == 10 && c == ' '));
        if (!ok)
            throw fail();
    }
    const std::string_view zone = text.substr(kPattern.size());
    if (!zone.empty() && zone != "Z" && zone != "+00:00")
        throw fail();
    auto num = [&text](std::size_t pos, std::size_t len) {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i)
            v = v * 10 + (text[i] - '0');
        return v;
    };
    std::tm tm{};
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(5, 2) - 1;
    tm.tm_mday = num(8, 2);
    tm.tm_hour = num(11, 2);
    tm.tm_min = num(14, 2);
    tm.tm_sec = num(17, 2);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        throw fail();
    const std::tm original = tm;
    const std::time_t t = timegm(&tm);
    // timegm normalizes out-of-range days (Feb 30 -> Mar 2): reject those.
    if (tm.tm_mday != original.tm_mday || tm.tm_mon != original.tm_mon)
        throw fail();
    return t;
}

}  // namespace rtprov::hab
