// rtprov sign: HAB4-sign (and optionally encrypt) an unsigned bootable image.

#include <array>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "bee_display.hpp"
#include "cli_errors.hpp"
#include "command.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/sign.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/project/bee_spec.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {
namespace {

constexpr std::array<std::pair<std::string_view, hab::Engine>, 14> kEngines{{
    {"any", hab::Engine::Any},
    {"scc", hab::Engine::Scc},
    {"rtic", hab::Engine::Rtic},
    {"sahara", hab::Engine::Sahara},
    {"csu", hab::Engine::Csu},
    {"srtc", hab::Engine::Srtc},
    {"dcp", hab::Engine::Dcp},
    {"caam", hab::Engine::Caam},
    {"snvs", hab::Engine::Snvs},
    {"ocotp", hab::Engine::Ocotp},
    {"dtcp", hab::Engine::Dtcp},
    {"hdcp", hab::Engine::Hdcp},
    {"rom", hab::Engine::Rom},
    {"sw", hab::Engine::Sw},
}};

hab::Engine parse_engine(const std::string& text, std::string_view option) {
    for (const auto& [name, engine] : kEngines) {
        if (text == name)
            return engine;
    }
    const std::uint32_t v = parse_u32(text, option);
    for (const auto& [name, engine] : kEngines) {
        if (static_cast<std::uint32_t>(engine) == v)
            return engine;
    }
    throw Error(ErrorCode::Usage, fmt::format("{} '{}': unknown HAB engine", option, text));
}

Bytes parse_hex(const std::string& text, std::string_view option) {
    Bytes out;
    std::string_view s = text;
    if (s.starts_with("0x") || s.starts_with("0X"))
        s.remove_prefix(2);
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    if (s.empty() || s.size() % 2 != 0)
        throw Error(ErrorCode::Usage, fmt::format("{} '{}': expected hex bytes", option, text));
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
        if (hi < 0 || lo < 0)
            throw Error(ErrorCode::Usage, fmt::format("{} '{}': expected hex bytes", option, text));
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

std::string hex(ByteView b) {
    return hab::hash_hex(b);
}

class SignCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("--image", image_, "Unsigned bootable image (with or without padding)")
            ->required();
        app.add_option("-o,--output", output_, "Write the signed image here")->required();
        app.add_option("--srk-certs", srk_certs_,
                       "1..4 SRK CA certificates (PEM/DER), comma-separated")
            ->delimiter(',');
        app.add_option("--srk-table", srk_table_, "Ready SRK table file instead of --srk-certs");
        app.add_option("--srk-index", srk_index_,
                       "0-based SRK that signs the CSF key certificate (default 0)");
        app.add_option("--csf-key", csf_key_,
                       "CSF private key (PEM/DER), or a token key: pkcs11:token=...;object=... "
                       "(docs/hsm.md)")
            ->required();
        app.add_option("--csf-cert", csf_cert_,
                       "CSF certificate (PEM/DER), or pkcs11:...;type=cert on a token")
            ->required();
        app.add_option("--img-key", img_key_,
                       "Image private key (PEM/DER or pkcs11: URI); required without --nocak");
        app.add_option("--img-cert", img_cert_,
                       "Image certificate (PEM/DER or pkcs11: URI); required without --nocak");
        app.add_flag("--nocak", nocak_,
                     "Fast authentication (Install NOCAK): --csf-key/--csf-cert are an SRK's key "
                     "and certificate and sign the image too; no --img-key/--img-cert");
        app.add_option("--key-password-file", password_file_,
                       "File whose first line is the private-key password (else env "
                       "RTPROV_KEY_PASSWORD)");
        app.add_option("--signature-time", signature_time_,
                       "CMS signing time, UTC ISO 8601 (2020-04-08T05:54:33Z); default now");
        app.add_flag("--no-padding", no_padding_, "Output starts at the IVT (no FCB/padding area)");
        app.add_option("--csf-version", csf_version_, "CSF header version (default 0x42)");
        app.add_option("--engine", engine_,
                       "Engine of the Authenticate/Decrypt commands: dcp "
                       "(default), caam, sw, any, ... or a number");
        app.add_option("--engine-config", engine_config_, "Engine configuration byte (default 0)");
        app.add_option("--set-engine", set_engine_,
                       "Add Set Engine (default engine for SHA-256) with this engine");
        app.add_option("--unlock", unlock_,
                       "Add Unlock: ENGINE[:FEATURES[:UID]] (e.g. snvs:0x3, caam:0x2, "
                       "ocotp:0x8:0x0123456789ABCDEF); repeatable");
        app.add_option("--image-address", image_address_,
                       "Relocate the image (boot data start) to this address");
        app.add_option("--initial-load-size", initial_load_size_,
                       "The app's offset from the image start, for a free layout (default: "
                       "NXP's for the IVT offset: 0x0 -> 0x400, 0x400 -> 0x1000, 0x1000 -> "
                       "0x2000)");
        app.add_flag("--encrypt", encrypt_, "HAB-encrypt the application (AES-CCM with --dek)");
        app.add_option("--dek", dek_, "DEK file (16/24/32 bytes) for --encrypt");
        app.add_option("--nonce", nonce_, "AES-CCM nonce: hex bytes or a file (default random)");
        app.add_option("--bee", bee_,
                       "Then BEE-encrypt: a file with the keys of a project's bee: section")
            ->check(existing_file());
        app.add_option("--device", device_, "Part (needed by --bee: its fuses and FlexSPI window)");
        app.add_flag("--show-keys", show_keys_, kShowKeysHelp);
        app.footer(
            "Example: rtprov sign --image app_unsigned.bin --srk-certs SRK1.pem,SRK2.pem,"
            "SRK3.pem,SRK4.pem --srk-index 0 --csf-key CSF1_1_key.pem --csf-cert "
            "CSF1_1_crt.pem --img-key IMG1_1_key.pem --img-cert IMG1_1_crt.pem "
            "--key-password-file key_pass.txt -o app_signed.bin");
    }

    int run(Output& out) override {
        if (bee_.empty() != device_.empty())
            throw Error(ErrorCode::Usage, "--bee and --device go together (BEE needs the part)");
        if (!bee_.empty() && encrypt_) {
            throw Error(ErrorCode::Usage,
                        "--bee and --encrypt exclude each other: an image is either BEE- or "
                        "HAB-encrypted");
        }
        hab::SignSettings s = settings();
        const Bytes input = read_file(image_);
        hab::SignResult r = hab::sign_image(input, image_, s);
        std::optional<bee::Result> bee_result;
        if (!bee_.empty())
            bee_result = apply_bee(r);
        write_file_atomic(output_, r.data);

        nlohmann::json blocks = nlohmann::json::array();
        out.text("wrote {} ({} bytes, at 0x{:08X})", output_, r.data.size(), r.address);
        out.text("CSF at 0x{:08X} ({} bytes of commands)", r.csf_address, r.csf_length);
        for (const auto& b : r.signed_blocks) {
            out.text("signed    0x{:08X} +0x{:X}", b.address, b.length);
            blocks.push_back({{"address", b.address}, {"length", b.length}});
        }
        nlohmann::json enc_blocks = nlohmann::json::array();
        for (const auto& b : r.encrypted_blocks) {
            out.text("encrypted 0x{:08X} +0x{:X} (DEK blob goes to 0x{:08X})", b.address, b.length,
                     *r.key_blob_address);
            enc_blocks.push_back({{"address", b.address}, {"length", b.length}});
        }
        out.text("SRK fuse hash {}", hex(r.srk_hash));
        if (bee_result)
            print_bee_result(out, *bee_result, show_keys_);
        nlohmann::json doc{{"output", output_},
                           {"size", r.data.size()},
                           {"address", r.address},
                           {"ivt_address", r.ivt_address},
                           {"csf_address", r.csf_address},
                           {"csf_length", r.csf_length},
                           {"signed_blocks", blocks},
                           {"srk_hash", hex(r.srk_hash)},
                           {"encrypted", r.key_blob_address.has_value()}};
        if (r.key_blob_address) {
            doc["encrypted_blocks"] = enc_blocks;
            doc["key_blob_address"] = *r.key_blob_address;
            doc["nonce"] = hex(r.nonce);
            doc["mac"] = hex(r.mac);
        }
        if (bee_result)
            doc["bee"] = bee_result_json(*bee_result, bee_mode_, show_keys_);
        out.result(doc);
        return 0;
    }

  private:
    // BEE after signing, as `build` does with a bee: section: HAB checks the plain image.
    bee::Result apply_bee(hab::SignResult& r) {
        const project::BeeSpec spec = project::load_bee_file(bee_);
        bee_mode_ = spec.mode;
        bee::Result b = with_context(bee_, [&] {
            return bee::encrypt_image(r.data, r.address, device::find_device(device_),
                                      project::resolve_bee(spec));
        });
        r.data = b.data;
        return b;
    }

    hab::SignSettings settings() const {
        hab::SignSettings s;
        for (const auto& c : srk_certs_)
            s.srk_certs.emplace_back(c);
        if (!srk_table_.empty())
            s.srk_table = srk_table_;
        s.srk_index = srk_index_;
        s.csf_key = csf_key_;
        s.csf_cert = csf_cert_;
        if (nocak_ && (!img_key_.empty() || !img_cert_.empty()))
            throw Error(ErrorCode::Usage,
                        "--nocak signs with the CSF (SRK) key: drop --img-key "
                        "and --img-cert");
        if (!nocak_ && (img_key_.empty() || img_cert_.empty()))
            throw Error(ErrorCode::Usage, "--img-key and --img-cert are required (or --nocak)");
        s.nocak = nocak_;
        s.img_key = img_key_;
        s.img_cert = img_cert_;
        if (!password_file_.empty())
            s.key_password = hab::read_password_file(password_file_);
        else if (const char* env = std::getenv("RTPROV_KEY_PASSWORD"))
            s.key_password = env;
        if (!signature_time_.empty())
            s.signature_time = hab::parse_signature_time(signature_time_);
        s.padding = !no_padding_;
        if (!initial_load_size_.empty())
            s.initial_load_size = parse_u32(initial_load_size_, "--initial-load-size");
        if (!csf_version_.empty()) {
            const std::uint32_t v = parse_u32(csf_version_, "--csf-version");
            if (!hab::is_hab4_csf_version(v)) {
                throw Error(ErrorCode::Usage,
                            fmt::format("--csf-version {}: a HAB4 CSF header version is 0x40 .. "
                                        "0x4F (4.0 .. 4.15)",
                                        csf_version_));
            }
            s.csf_version = static_cast<std::uint8_t>(v);
        }
        if (!engine_.empty())
            s.engine = parse_engine(engine_, "--engine");
        s.engine_config = engine_config_;
        if (!set_engine_.empty())
            s.set_engine = hab::SetEngine{hab::Algorithm::Sha256,
                                          parse_engine(set_engine_, "--set-engine"), 0};
        for (const auto& arg : unlock_) {
            const auto colon = arg.find(':');
            const auto uid_colon =
                colon == std::string::npos ? std::string::npos : arg.find(':', colon + 1);
            hab::Unlock u;
            u.engine = parse_engine(arg.substr(0, colon), "--unlock");
            if (colon != std::string::npos)
                u.features = parse_u32(arg.substr(colon + 1, uid_colon - colon - 1), "--unlock");
            if (uid_colon != std::string::npos) {
                const auto uid = parse_uint(arg.substr(uid_colon + 1));
                if (!uid)
                    throw Error(ErrorCode::Usage,
                                fmt::format("--unlock {}: the UID is not a 64-bit number", arg));
                if (!hab::set_unlock_uid(u, *uid)) {
                    throw Error(ErrorCode::Usage,
                                fmt::format("--unlock {}: only an ocotp unlock of field return "
                                            "(0x1), SCS (0x4) or JTAG (0x8) carries a UID",
                                            arg));
                }
            }
            s.unlocks.push_back(u);
        }
        if (!image_address_.empty())
            s.image_address = parse_u32(image_address_, "--image-address");
        if (encrypt_) {
            if (dek_.empty())
                throw Error(ErrorCode::Usage, "--encrypt needs --dek FILE");
            hab::EncryptSettings e;
            e.dek = read_file_limited(dek_, kMaxKeyFile);
            if (!nonce_.empty()) {
                e.nonce = path_exists(nonce_) ? read_file_limited(nonce_, kMaxKeyFile)
                                              : parse_hex(nonce_, "--nonce");
            }
            s.encrypt = e;
        } else if (!dek_.empty() || !nonce_.empty()) {
            throw Error(ErrorCode::Usage, "--dek and --nonce need --encrypt");
        }
        return s;
    }

    std::string image_, output_, srk_table_, csf_key_, csf_cert_, img_key_, img_cert_;
    std::vector<std::string> srk_certs_;
    std::uint32_t srk_index_ = 0;
    std::string password_file_, signature_time_, csf_version_, engine_, set_engine_;
    std::vector<std::string> unlock_;
    std::uint8_t engine_config_ = 0;
    std::string image_address_, initial_load_size_, dek_, nonce_;
    std::string bee_, device_;
    bee::KeySource bee_mode_ = bee::KeySource::UserKey;
    bool no_padding_ = false, encrypt_ = false, nocak_ = false, show_keys_ = false;
};

}  // namespace

std::unique_ptr<Command> make_sign_command() {
    return std::make_unique<SignCommand>();
}

}  // namespace rtprov::cli
