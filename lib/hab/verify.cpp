// Offline HAB verification: walks the CSF commands as the boot ROM does (key slots, certificate
// chain, signatures) and records every finding as a check instead of stopping at the first.

#include "rtprov/hab/verify.hpp"

#include <map>

#include <fmt/format.h>

#include "rtprov/boot/image.hpp"
#include "rtprov/util/error.hpp"
#include "verify_internal.hpp"

namespace rtprov::hab {

namespace {

using detail::PublicKey;

std::string hex_hash(ByteView h) {
    return "0x" + hash_hex(h);
}

std::string describe_blocks(const std::vector<Block>& blocks) {
    std::string out;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        out += fmt::format("{}block {} at 0x{:08X}, 0x{:X} bytes", i ? "; " : "", i + 1,
                           blocks[i].address, blocks[i].length);
    }
    return out;
}

class Verifier {
  public:
    Verifier(ByteView file, const boot::ParsedImage& image, ByteView csf,
             const VerifyOptions& options, VerifyReport& report)
        : file_(file), image_(image), csf_(csf), options_(options), report_(report) {}

    void run(const ParsedCsf& parsed);

  private:
    void pass(std::string name, std::string detail) {
        report_.checks.push_back({std::move(name), CheckStatus::Passed, std::move(detail)});
    }
    void fail(std::string name, std::string detail) {
        report_.checks.push_back({std::move(name), CheckStatus::Failed, std::move(detail)});
    }
    void skip(std::string name, std::string detail) {
        report_.checks.push_back({std::move(name), CheckStatus::Skipped, std::move(detail)});
    }

    void install_srk(const InstallKey& k);
    void install_key(const InstallKey& k, const std::string& name);
    void authenticate(const AuthenticateData& a, const std::string& name, bool csf = false);
    void decrypt(const AuthenticateData& a, const std::string& name);
    // The bytes of the image at `block`, or nullopt when the file does not hold them.
    std::optional<ByteView> image_bytes(const Block& block) const;
    void check_coverage();

    ByteView file_;
    const boot::ParsedImage& image_;
    ByteView csf_;
    const VerifyOptions& options_;
    VerifyReport& report_;
    std::map<std::uint8_t, std::shared_ptr<PublicKey>> slots_;
    bool csf_authenticated_ = false;
    std::optional<Bytes> secret_key_;
};

std::optional<ByteView> Verifier::image_bytes(const Block& block) const {
    const std::uint64_t start = block.address;
    if (start < image_.file_address)
        return std::nullopt;
    const std::uint64_t offset = start - image_.file_address;
    if (offset + block.length > file_.size())
        return std::nullopt;
    return file_.subspan(offset, block.length);
}

void Verifier::install_srk(const InstallKey& k) {
    const std::string name = "Install SRK";
    SrkTable table;
    try {
        const ByteView bytes = csf_data_block(csf_, k.location, kSrkTableTag, "SRK table");
        table = parse_srk_table(bytes);
        const SrkHash hash = srk_fuse_hash(bytes);
        report_.srk_table_hash = hash;
        report_.srk_count = table.keys.size();
        if (!options_.fuse_hash) {
            skip("SRK table hash",
                 fmt::format("SRK table hash {} (no fuses given to compare)", hex_hash(hash)));
        } else if (*options_.fuse_hash != hash) {
            fail("SRK table hash", fmt::format("SRK table hash {} does not match the fuses {}",
                                               hex_hash(hash), hex_hash(*options_.fuse_hash)));
        } else {
            pass("SRK table hash",
                 fmt::format("SRK table hash {} matches the fuses", hex_hash(hash)));
        }
    } catch (const Error& e) {
        fail(name, fmt::format("{}: {}", name, e.what()));
        return;
    }
    report_.srk_index = k.source_index;
    if (k.source_index >= table.keys.size()) {
        fail(name, fmt::format("{}: index {} but the table holds {} keys (0..{})", name,
                               k.source_index, table.keys.size(), table.keys.size() - 1));
        return;
    }
    try {
        slots_[0] = PublicKey::from_srk(table.keys[k.source_index]);
    } catch (const Error& e) {
        fail(name, fmt::format("{}: key {}: {}", name, k.source_index, e.what()));
        return;
    }
    pass(name, fmt::format("SRK {} of {} from the table at CSF offset 0x{:X}", k.source_index,
                           table.keys.size(), k.location));
}

void Verifier::install_key(const InstallKey& k, const std::string& name) {
    const bool csfk = (k.flags & install_key_flags::kCsf) != 0;
    if (k.certificate_format != Format::X509) {
        fail(name, fmt::format("{}: certificate format 0x{:02X} is not X.509 (0x09)", name,
                               static_cast<unsigned>(k.certificate_format)));
        return;
    }
    if (csfk && (k.source_index != 0 || k.target_index != 1)) {
        fail(name, fmt::format("{}: the CSF key must go from slot 0 to slot 1, not {} to {}", name,
                               k.source_index, k.target_index));
        return;
    }
    if (!csfk && !csf_authenticated_) {
        fail(name, fmt::format("{}: comes before Authenticate CSF", name));
        return;
    }
    if (!csfk && k.target_index < 2) {
        fail(name, fmt::format("{}: target slot {} is reserved for the SRK/CSF key", name,
                               k.target_index));
        return;
    }
    const auto issuer = slots_.find(k.source_index);
    if (issuer == slots_.end()) {
        fail(name, fmt::format("{}: verifying slot {} holds no key", name, k.source_index));
        return;
    }
    std::shared_ptr<PublicKey> key;
    try {
        const ByteView der = csf_data_block(csf_, k.location, kCertificateTag, "certificate");
        key = PublicKey::from_certificate(der, "certificate");
    } catch (const Error& e) {
        fail(name, fmt::format("{}: {}", name, e.what()));
        return;
    }
    const std::string by = k.source_index == 0 ? "SRK" : fmt::format("slot {}", k.source_index);
    if (!key->certificate_signed_by(*issuer->second)) {
        fail(name, fmt::format("{}: certificate at CSF offset 0x{:X} ({}) is not signed by the "
                               "key in slot {} ({})",
                               name, k.location, key->subject(), k.source_index,
                               k.source_index == 0 ? "SRK" : "CSFK"));
        return;
    }
    slots_[k.target_index] = key;
    pass(name,
         fmt::format("{} signed by {}, installed in slot {}", key->subject(), by, k.target_index));
}

void Verifier::authenticate(const AuthenticateData& a, const std::string& name, bool csf) {
    if (csf && a.key_index != 1) {
        fail(name, fmt::format("{}: key index {}, the CSF key is slot 1", name, a.key_index));
        return;
    }
    if (!csf && !csf_authenticated_) {
        fail(name, fmt::format("{}: comes before Authenticate CSF", name));
        return;
    }
    auto key = slots_.find(a.key_index);
    // Fast authentication: CST's Install NOCAK (and SPSDK's) writes no command, so no CSF key is
    // installed and the boot ROM checks the CSF signature with the SRK itself.
    const bool fast = csf && key == slots_.end() && slots_.count(0) != 0;
    if (fast)
        key = slots_.find(0);
    if (key == slots_.end()) {
        fail(name, fmt::format("{}: key slot {} holds no key", name, a.key_index));
        return;
    }
    if (a.signature_format != Format::Cms) {
        fail(name, fmt::format("{}: signature format 0x{:02X} is not CMS (0xC5)", name,
                               static_cast<unsigned>(a.signature_format)));
        return;
    }
    // Coverage is judged on what the commands claim; a bad signature is its own finding.
    report_.signed_blocks.insert(report_.signed_blocks.end(), a.blocks.begin(), a.blocks.end());
    Bytes data;
    std::string what;
    if (csf) {
        data.assign(csf_.begin(), csf_.begin() + report_.csf_length);
        what = fmt::format("the CSF commands, 0x{:X} bytes", report_.csf_length);
    } else {
        for (std::size_t i = 0; i < a.blocks.size(); ++i) {
            const auto bytes = image_bytes(a.blocks[i]);
            if (!bytes) {
                fail(name, fmt::format("{}: block {} at 0x{:08X}, 0x{:X} bytes is outside the "
                                       "image",
                                       name, i + 1, a.blocks[i].address, a.blocks[i].length));
                return;
            }
            data.insert(data.end(), bytes->begin(), bytes->end());
        }
        what = describe_blocks(a.blocks);
    }
    detail::CmsSignature cms;
    try {
        cms = detail::parse_cms(csf_data_block(csf_, a.location, kSignatureTag, "signature"));
    } catch (const Error& e) {
        fail(name, fmt::format("{}: {}", name, e.what()));
        return;
    }
    switch (detail::check_cms(cms, data, *key->second)) {
        case detail::CmsResult::DigestMismatch:
            fail(name, fmt::format("{}: signature does not match the data ({})", name, what));
            return;
        case detail::CmsResult::BadSignature:
            fail(name, fmt::format("{}: signature at CSF offset 0x{:X} is not made by the key in "
                                   "slot {}",
                                   name, a.location, fast ? 0 : a.key_index));
            return;
        case detail::CmsResult::Ok:
            break;
    }
    if (csf)
        csf_authenticated_ = true;
    if (fast) {
        pass(name, fmt::format("signed by the SRK: fast authentication, no CSF key installed ({})",
                               what));
    } else {
        pass(name, fmt::format("signed by the key in slot {} ({})", a.key_index, what));
    }
}

void Verifier::decrypt(const AuthenticateData& a, const std::string& name) {
    report_.encrypted = true;
    ByteView mac_block;
    try {
        mac_block = csf_data_block(csf_, a.location, kMacTag, "MAC");
    } catch (const Error& e) {
        fail(name, fmt::format("{}: {}", name, e.what()));
        return;
    }
    if (mac_block.size() < 4 || mac_block[0] != 0 || mac_block[2] != 0 ||
        4u + mac_block[1] + mac_block[3] != mac_block.size() || mac_block[1] < 7 ||
        mac_block[1] > 13 || mac_block[3] < 4 || mac_block[3] > 16) {
        fail(name,
             fmt::format("{}: MAC block at CSF offset 0x{:X} is malformed", name, a.location));
        return;
    }
    const ByteView nonce = mac_block.subspan(4, mac_block[1]);
    const ByteView mac = mac_block.subspan(4u + mac_block[1], mac_block[3]);
    Bytes data;
    for (std::size_t i = 0; i < a.blocks.size(); ++i) {
        const auto bytes = image_bytes(a.blocks[i]);
        if (!bytes) {
            fail(name, fmt::format("{}: block {} at 0x{:08X}, 0x{:X} bytes is outside the image",
                                   name, i + 1, a.blocks[i].address, a.blocks[i].length));
            return;
        }
        data.insert(data.end(), bytes->begin(), bytes->end());
    }
    report_.decrypted_blocks.insert(report_.decrypted_blocks.end(), a.blocks.begin(),
                                    a.blocks.end());
    const std::string what = describe_blocks(a.blocks);
    if (!options_.dek) {
        skip(name, fmt::format("MAC not checked without the DEK ({})", what));
    } else if (!detail::ccm_tag_matches(*options_.dek, nonce, data, mac)) {
        fail(name, fmt::format("{}: MAC does not match the data with this DEK ({})", name, what));
    } else {
        pass(name, fmt::format("MAC matches with the DEK ({})", what));
    }
}

void Verifier::run(const ParsedCsf& parsed) {
    std::map<std::string, int> counts;
    const auto numbered = [&](const std::string& kind) {
        return fmt::format("{} #{}", kind, ++counts[kind]);
    };
    for (const ParsedCommand& c : parsed.commands) {
        if (const auto* k = std::get_if<InstallKey>(&c.command)) {
            if (k->certificate_format == Format::Srk) {
                install_srk(*k);
            } else if (k->certificate_format == Format::Blob) {
                pass("Install Secret Key", fmt::format("DEK blob at 0x{:08X}", k->location));
                report_.key_blob_address = k->location;
            } else if (k->flags & install_key_flags::kCsf) {
                install_key(*k, "Install CSFK");
            } else {
                install_key(*k, numbered("Install Key"));
            }
        } else if (const auto* a = std::get_if<AuthenticateData>(&c.command)) {
            if (a->signature_format == Format::Aead)
                decrypt(*a, numbered("Decrypt Data"));
            else if (a->blocks.empty())
                authenticate(*a, "Authenticate CSF", true);
            else
                authenticate(*a, numbered("Authenticate Data"));
        } else {
            pass(command_name(c.tag), fmt::format("at CSF offset 0x{:X}", c.offset));
        }
    }
    if (!csf_authenticated_)
        fail("Authenticate CSF", "Authenticate CSF: missing or failed, nothing is trusted");
    check_coverage();
}

void Verifier::check_coverage() {
    std::vector<Block> covered = report_.signed_blocks;
    covered.insert(covered.end(), report_.decrypted_blocks.begin(), report_.decrypted_blocks.end());
    const auto is_covered = [&](std::uint64_t address) {
        for (const Block& b : covered) {
            if (address >= b.address && address < std::uint64_t{b.address} + b.length)
                return true;
        }
        return false;
    };
    // What boots: the IVT and everything the ROM loads from it up to the CSF. Zero padding may
    // stay unsigned; any other byte must be authenticated.
    const std::uint64_t from = image_.ivt.self;
    const std::uint64_t to = image_.ivt.csf;
    std::uint64_t first = 0, count = 0, run_end = 0;
    for (std::uint64_t a = from; a < to; ++a) {
        const std::uint64_t offset = a - image_.file_address;
        if (offset >= file_.size())
            break;
        const bool must = a < from + 0x20 || file_[offset] != 0;
        if (must && !is_covered(a)) {
            if (count == 0)
                first = a;
            if (count == 0 || a == run_end + 1)
                run_end = a;
            ++count;
        }
    }
    if (count == 0) {
        pass("Coverage", fmt::format("IVT, boot data{} and app (0x{:08X}..0x{:08X}) are "
                                     "authenticated",
                                     image_.ivt.dcd ? ", DCD" : "", from, to - 1));
        return;
    }
    fail("Coverage", fmt::format("Coverage: {} loaded bytes are not authenticated, the first "
                                 "at 0x{:08X}..0x{:08X}",
                                 count, first, run_end));
}

}  // namespace

bool VerifyReport::ok() const {
    for (const VerifyCheck& c : checks) {
        if (c.status == CheckStatus::Failed)
            return false;
    }
    return true;
}

std::vector<std::string> VerifyReport::failures() const {
    std::vector<std::string> out;
    for (const VerifyCheck& c : checks) {
        if (c.status == CheckStatus::Failed)
            out.push_back(c.detail);
    }
    return out;
}

VerifyReport verify_image(ByteView file, const std::string& name, const VerifyOptions& options) {
    const boot::ParsedImage image = boot::parse_boot_image(file, name);
    VerifyReport report;
    report.csf_address = image.ivt.csf;
    if (image.ivt.csf == 0) {
        report.checks.push_back(
            {"CSF", CheckStatus::Failed, "unsigned image: the IVT has no CSF pointer"});
        return report;
    }
    if (!image.csf_file_offset) {
        report.checks.push_back(
            {"CSF", CheckStatus::Failed,
             fmt::format("CSF at 0x{:08X} is outside the file", image.ivt.csf)});
        return report;
    }
    const ByteView csf = file.subspan(*image.csf_file_offset, image.csf_size);
    ParsedCsf parsed;
    try {
        parsed = parse_csf(csf);
    } catch (const Error& e) {
        report.checks.push_back({"CSF", CheckStatus::Failed, e.what()});
        return report;
    }
    report.csf_length = parsed.length;
    report.checks.push_back(
        {"CSF", CheckStatus::Passed,
         fmt::format("CSF at 0x{:08X}, version 0x{:02X}, {} commands in 0x{:X} bytes",
                     image.ivt.csf, parsed.version, parsed.commands.size(), parsed.length)});
    Verifier(file, image, csf, options, report).run(parsed);
    return report;
}

}  // namespace rtprov::hab
