// rtprov keys: generate a HAB PKI (NXP hab4_pki_tree layout) or an SRK table from certificates.

#include <cstdlib>

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

class KeysCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("-o,--out", out_dir_, "Output folder (keys/, crts/, srk/)")->required();
        app.add_option("--from-certs", certs_,
                       "Only build srk/SRK_table.bin + SRK_fuses.bin from these 1..4 SRK "
                       "certificates (PEM or DER, comma-separated, in table order)")
            ->delimiter(',');
        app.add_option("--srk-count", options_.srk_count, "Number of SRKs (1..4)")->default_val(4);
        app.add_option("--key-size", options_.key_size, "RSA key size: 2048, 3072 or 4096")
            ->default_val(2048);
        app.add_option("--validity-days", options_.validity_days, "Certificate validity")
            ->default_val(3650);
        app.add_option("--serial", options_.serial,
                       "First certificate serial number (each next certificate takes +1)")
            ->default_val(0x12345678);
        app.add_option("--subject-prefix", options_.subject_prefix,
                       "Text put before every certificate CN");
        app.add_option("--password-file", password_file_,
                       "File whose first line encrypts the private keys (else env "
                       "RTPROV_KEY_PASSWORD; required)");
        app.add_option("--kdf-iterations", options_.kdf_iterations,
                       fmt::format("PBKDF2-HMAC-SHA256 iterations that derive each private key's "
                                   "encryption key from the password ({}..{}; more is slower "
                                   "to guess and to sign with)",
                                   hab::kMinKdfIterations, hab::kMaxKdfIterations))
            ->default_val(hab::kDefaultKdfIterations);
        app.add_option("--device", device_, "Part name: show the SRK fuses' OTP indexes");
        app.add_flag("--force", force_,
                     "Replace the files of an existing PKI in the output folder (refused "
                     "without it)");
        app.footer(
            "Writes keys/{CA1,SRKn,CSFn_1,IMGn_1}_sha256_<size>_65537_v3_{ca,usr}_key.pem\n"
            "(encrypted PKCS#8, readable by OpenSSL; 0600), crts/*_crt.pem + .der,\n"
            "srk/SRK_table.bin and srk/SRK_fuses.bin, then prints the eight SRK fuse words\n"
            "(SRK0..SRK7) to burn. The password needs at least 8 characters.\n"
            "An existing PKI in the folder is never replaced without --force.\n"
            "Examples:\n"
            "  rtprov keys -o pki --password-file pass.txt\n"
            "  rtprov keys -o pki --srk-count 1 --key-size 4096 --device rt1060 --json\n"
            "  rtprov keys -o srk --from-certs "
            "SRK1_crt.pem,SRK2_crt.pem,SRK3_crt.pem,SRK4_crt.pem");
    }

    int run(Output& out) override {
        // Every input is checked before the first file is written.
        const device::Device* dev = device_.empty() ? nullptr : &device::find_device(device_);
        const std::filesystem::path dir(out_dir_);
        Bytes table;
        nlohmann::json doc = {{"out", out_dir_}};
        if (!certs_.empty()) {
            std::vector<Bytes> ders;
            for (const std::string& path : certs_)
                ders.push_back(hab::load_certificate(path).der);
            table = hab::build_srk_table(ders);
            const hab::SrkHash hash = hab::srk_fuse_hash(table);
            refuse_to_replace({dir / "SRK_table.bin", dir / "SRK_fuses.bin"});
            std::error_code ec;
            std::filesystem::create_directories(out_dir_, ec);
            write_file_atomic(std::filesystem::path(out_dir_) / "SRK_table.bin", table);
            write_file_atomic(std::filesystem::path(out_dir_) / "SRK_fuses.bin",
                              ByteView(hash.data(), hash.size()));
            out.text("wrote {}/SRK_table.bin ({} keys) and SRK_fuses.bin", out_dir_, ders.size());
        } else {
            options_.password = password();
            const hab::GeneratedPki pki = hab::generate_pki(options_);
            std::vector<std::filesystem::path> paths;
            for (const hab::PkiFile& f : pki.files)
                paths.push_back(dir / f.path);
            refuse_to_replace(paths);
            hab::write_pki(pki, out_dir_);
            table = pki.srk_table;
            out.text("wrote {} files under {} ({} SRKs, RSA-{})", pki.files.size(), out_dir_,
                     options_.srk_count, options_.key_size);
            doc["files"] = nlohmann::json::array();
            for (const auto& f : pki.files)
                doc["files"].push_back(f.path);
        }
        print_fuses(out, dev, hab::srk_fuse_hash(table), doc);
        out.result(doc);
        return 0;
    }

  private:
    std::string password() const {
        if (!password_file_.empty()) {
            std::string p = hab::read_password_file(password_file_);
            with_context(password_file_, [&] { hab::check_new_key_password(p); });
            return p;
        }
        if (const char* p = std::getenv("RTPROV_KEY_PASSWORD"); p && *p) {
            with_context("RTPROV_KEY_PASSWORD", [&] { hab::check_new_key_password(p); });
            return p;
        }
        throw Error(ErrorCode::Usage,
                    "keys: give --password-file FILE or set RTPROV_KEY_PASSWORD to protect the "
                    "private keys");
    }

    // A new PKI over an old one would lose keys whose SRK hash may already be burned into
    // boards, so existing files are replaced only with --force.
    void refuse_to_replace(const std::vector<std::filesystem::path>& paths) const {
        if (force_)
            return;
        for (const std::filesystem::path& path : paths) {
            std::error_code ec;
            if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
                throw Error(ErrorCode::Usage,
                            fmt::format("keys: {} already exists; boards fused with that PKI's "
                                        "SRK hash need its keys. Choose another -o folder, or "
                                        "give --force to replace it",
                                        path.string()));
            }
        }
    }

    void print_fuses(Output& out, const device::Device* dev, const hab::SrkHash& hash,
                     nlohmann::json& doc) const {
        const hab::SrkFuseWords words = hab::srk_fuse_words(hash);
        out.text("SRK hash: {}", hab::hash_hex(hash));
        doc["srk_hash"] = hab::hash_hex(hash);
        doc["fuses"] = nlohmann::json::array();
        for (std::size_t i = 0; i < words.size(); ++i) {
            const std::string name = fmt::format("SRK{}", i);
            nlohmann::json row = {{"name", name}, {"value", hab::format_fuse_word(words[i])}};
            const device::FuseWord* word = dev ? dev->fuse(name) : nullptr;
            if (word) {
                row["otp_index"] = fmt::format("0x{:X}", word->index);
                out.text("  {} (OTP 0x{:X})  {}", name, word->index,
                         hab::format_fuse_word(words[i]));
            } else {
                out.text("  {}  {}", name, hab::format_fuse_word(words[i]));
            }
            doc["fuses"].push_back(row);
        }
    }

    hab::PkiOptions options_;
    std::string out_dir_, password_file_, device_;
    std::vector<std::string> certs_;
    bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_keys_command() {
    return std::make_unique<KeysCommand>();
}

}  // namespace rtprov::cli
