// rtprov verify: check a signed image offline as the boot ROM's HAB would.

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

std::string_view status_name(hab::CheckStatus s) {
    switch (s) {
        case hab::CheckStatus::Passed:
            return "ok";
        case hab::CheckStatus::Failed:
            return "FAILED";
        case hab::CheckStatus::Skipped:
            return "skipped";
    }
    return "?";
}

class VerifyCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("image", image_, "Signed bootable image")->required();
        app.add_option("--srk-hash", srk_hash_,
                       "SRK fuses: a 32-byte SRK_fuses.bin, or the 8 words SRK0..SRK7 as burned "
                       "(comma-separated hex)");
        app.add_option("--dek", dek_,
                       "DEK file (16/24/32 bytes): check the MAC of encrypted "
                       "images");
        app.footer(
            "Checks the CSF commands, the SRK table against the fuses, the certificate chain\n"
            "(SRK -> CSFK, SRK/CSFK -> IMG), the CSF and image signatures, the MAC (with --dek)\n"
            "and that the signed blocks cover the IVT, boot data, DCD and app.\n"
            "Exit status 4 when a check fails.\n"
            "Examples:\n"
            "  rtprov verify app_signed.bin --srk-hash pki/srk/SRK_fuses.bin\n"
            "  rtprov verify app_signed.bin --srk-hash 0x2d1ab5c8,0x...,... --json");
    }

    int run(Output& out) override {
        hab::VerifyOptions options;
        if (!srk_hash_.empty())
            options.fuse_hash = read_srk_hash();
        if (!dek_.empty())
            options.dek = read_file_limited(dek_, kMaxKeyFile);
        const Bytes file = read_file(image_);
        const hab::VerifyReport report = hab::verify_image(file, image_, options);
        nlohmann::json checks = nlohmann::json::array();
        for (const auto& c : report.checks) {
            out.text("{:<8} {:<22} {}", status_name(c.status), c.name, c.detail);
            checks.push_back(
                {{"name", c.name}, {"status", status_name(c.status)}, {"detail", c.detail}});
        }
        nlohmann::json doc = {{"image", image_},
                              {"ok", report.ok()},
                              {"checks", checks},
                              {"encrypted", report.encrypted}};
        if (report.srk_table_hash)
            doc["srk_hash"] = hab::hash_hex(*report.srk_table_hash);
        if (report.srk_index)
            doc["srk_index"] = *report.srk_index;
        out.result(doc);
        if (!report.ok()) {
            const auto failures = report.failures();
            throw Error(ErrorCode::Verification,
                        fmt::format("{}: {} check{} failed; first: {}", image_, failures.size(),
                                    failures.size() == 1 ? "" : "s", failures.front()));
        }
        out.text("{}: HAB verification passed", image_);
        return 0;
    }

  private:
    hab::SrkHash read_srk_hash() const {
        if (is_file(srk_hash_)) {
            const Bytes bytes = read_file_limited(srk_hash_, kMaxKeyFile);
            if (bytes.size() != 32) {
                throw Error(ErrorCode::BadInput, fmt::format("{}: {} bytes, an SRK fuse hash is 32",
                                                             srk_hash_, bytes.size()));
            }
            hab::SrkHash hash{};
            std::copy(bytes.begin(), bytes.end(), hash.begin());
            return hash;
        }
        return hab::srk_hash_from_words(hab::parse_srk_fuse_words(srk_hash_));
    }

    std::string image_, srk_hash_, dek_;
};

}  // namespace

std::unique_ptr<Command> make_verify_command() {
    return std::make_unique<VerifyCommand>();
}

}  // namespace rtprov::cli
