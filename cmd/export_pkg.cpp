// rtprov export-pkg: build a project and write its manufacturing package (zip).

#include <cstdlib>

#include "cli_errors.hpp"
#include "command.hpp"

#include "rtprov/hab/key_io.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

class ExportPkgCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.footer(
            "Examples:\n"
            "  rtprov export-pkg -c examples/rt1020-evk/project.yaml -o blinky_pkg.zip\n"
            "  SOURCE_DATE_EPOCH=1700000000 rtprov export-pkg -c project.yaml -o pkg.zip\n"
            "Builds (and signs, with a hab: section) from the files on disk, then packages the\n"
            "image, the project file and its public inputs, the SRK hash, the fuse plan,\n"
            "README.txt and manifest.json. The same inputs give the same bytes; entry times are\n"
            "SOURCE_DATE_EPOCH, else 1980-01-01. Private keys are never packaged: a file to\n"
            "package that holds one (PEM, DER, PKCS#8, PKCS#12, OpenSSH) is refused (exit 2).\n"
            "A HAB-encrypted image (hab.encrypt) is packaged without its plaintext app unless\n"
            "--include-sources.\n"
            "--sign-key signs manifest.json (which holds every file's SHA-256) into\n"
            "manifest.sig; `import-pkg --trust-key` then refuses anything else.\n"
            "Secrets (the DEK of hab.encrypt, BEE/OTFAD user keys) are sealed to the stations\n"
            "that write the package: --seal-to STATION.pub, once per station (keys from\n"
            "`rtprov station keygen`); only a station holding one of the private keys can\n"
            "write it. --insecure-plain-secrets keeps them in the clear instead (the manifest\n"
            "and `rtprov write` say so).");
        app.add_option("-c,--config", project_, "Project file (YAML)")
            ->required()
            ->check(existing_file());
        app.add_option("-o,--output", output_, "Package file (zip, written atomically)")
            ->required();
        app.add_option("--image", image_,
                       "A build output to package: refused as stale unless it equals what the "
                       "project builds now")
            ->check(existing_file());
        app.add_option("--sign-key", sign_key_,
                       "Sign the package (manifest.sig) with this private key (RSA or EC, PEM), "
                       "or a token key: pkcs11:token=...;object=... (docs/hsm.md)")
            ->check(existing_file_or_token());
        app.add_flag("--include-sources", include_sources_,
                     "With hab.encrypt: package the plaintext app too (left out by default)");
        app.add_option("--seal-to", seal_to_,
                       "Seal the package's secrets to this station public key (repeatable)")
            ->check(existing_file());
        app.add_flag("--insecure-plain-secrets", plain_secrets_,
                     "Keep the package's secrets in the clear (development only)");
        app.add_option("--sign-key-password-file", sign_password_file_,
                       "Password of an encrypted --sign-key (default: $RTPROV_KEY_PASSWORD)")
            ->check(existing_file());
    }

    int run(Output& out) override {
        pkg::ExportOptions options;
        options.project = project_;
        options.include_sources = include_sources_;
        for (const auto& s : seal_to_)
            options.seal_to.emplace_back(s);
        options.insecure_plain_secrets = plain_secrets_;
        if (const char* p = std::getenv("RTPROV_KEY_PASSWORD"))
            options.env_password = p;
        if (!image_.empty())
            options.built_image = image_;
        if (!sign_key_.empty()) {
            options.sign_key = sign_key_;
            options.sign_key_password = sign_password_file_.empty()
                                            ? options.env_password
                                            : hab::read_password_file(sign_password_file_);
        }
        if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0')
            options.source_date_epoch = pkg::parse_source_date_epoch(e);
        const pkg::ExportedPackage package = pkg::export_package(options);
        for (const auto& w : package.warnings)
            out.warning(w);
        write_file_atomic(output_, package.zip);

        const pkg::Manifest& m = package.manifest;
        const std::string boot_device = m.images.empty() ? "" : m.images.front().boot_device;
        out.text(
            "wrote {} ({} bytes): {} {}, {} files, {} fuse words, {} write steps, schema "
            "{}.{}",
            output_, package.zip.size(), m.device, boot_device, m.files.size() + 1, m.fuses.size(),
            m.write_plan.size(), m.schema.major, m.schema.minor);
        if (m.flashloaders.empty())
            out.warning(
                "no flashloader: section in the project; `rtprov write` will need "
                "--flashloader FILE");
        nlohmann::json doc = {{"output", output_},
                              {"size", package.zip.size()},
                              {"device", m.device},
                              {"boot_device", boot_device},
                              {"files", m.files.size() + 1},
                              {"fuse_words", m.fuses.size()},
                              {"flashloaders", m.flashloaders.size()},
                              {"write_steps", m.write_plan.size()},
                              {"signed_package", !sign_key_.empty()}};
        if (m.secrets)
            doc["secrets"] = {{"file", m.secrets->file},
                              {"sealed", m.secrets->sealed},
                              {"names", m.secrets->names},
                              {"stations", seal_to_.size()}};
        out.result(doc);
        return 0;
    }

  private:
    std::string project_, output_, image_, sign_key_, sign_password_file_;
    bool include_sources_ = false;
    std::vector<std::string> seal_to_;
    bool plain_secrets_ = false;
};

}  // namespace

std::unique_ptr<Command> make_export_pkg_command() {
    return std::make_unique<ExportPkgCommand>();
}

}  // namespace rtprov::cli
