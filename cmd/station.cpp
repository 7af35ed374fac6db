// rtprov station: the station's key pair for sealed secrets. `keygen` makes it (station.key, 0600,
// and station.pub), `show` prints a public key's id and label.

#include <cstdlib>

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/records/records.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/process.hpp"

namespace rtprov::cli {

namespace {

constexpr const char* kFooter =
    "A package of an encrypted product (HAB DEK, BEE or OTFAD user keys) holds its keys\n"
    "sealed to the public keys of the stations that may write it; only a station holding one\n"
    "of the private keys opens them (docs/package-format.md, \"Sealed secrets\").\n"
    "  keygen  makes the station's P-256 key pair in the station directory ($RTPROV_STATION_DIR,\n"
    "          else ~/.local/share/rtprov/station; or --out DIR): station.key (private, 0600,\n"
    "          not password-protected: `write` opens it unattended; keep it on the station and\n"
    "          a backup offline) and station.pub (give it to whoever exports packages).\n"
    "          An existing key is never replaced without --force: packages sealed to it would\n"
    "          no longer open on this station.\n"
    "  show    prints the id and label of a public key (default: the station's station.pub).\n"
    "Examples:\n"
    "  rtprov station keygen --label line-1\n"
    "  rtprov station show --json\n"
    "  rtprov export-pkg -c project.yaml -o app.zip --seal-to line-1.pub --seal-to line-2.pub\n"
    "  rtprov write app.zip -p sim:auto       # opens the secrets with station.key";

// The station's name when --label is not given: $RTPROV_STATION (the name `write` records),
// else the host name.
std::string default_label() {
    if (const char* env = std::getenv("RTPROV_STATION"); env != nullptr && *env != '\0')
        return env;
    const std::string host = host_name();
    return host.empty() ? "station" : host;
}

class StationCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.footer(kFooter);
        app.require_subcommand(1);
        keygen_ = app.add_subcommand("keygen", "Make the station's key pair for sealed secrets");
        keygen_->add_option("--label", label_,
                            "The station's name in packages sealed to it (default "
                            "$RTPROV_STATION, else the host name)");
        keygen_->add_option("--out", out_dir_,
                            "Folder for station.key and station.pub (default the station "
                            "directory)");
        keygen_->add_flag("--force", force_, "Replace an existing station key pair");
        show_ = app.add_subcommand("show", "Print the id and label of a station public key");
        show_->add_option("--key", key_,
                          "The public key file (default station.pub in the station directory)");
    }

    int run(Output& out) override {
        const std::filesystem::path station_dir = records::default_station_dir();
        if (keygen_->parsed())
            return keygen(out, out_dir_.empty() ? station_dir : std::filesystem::path(out_dir_));
        const std::filesystem::path key = key_.empty()
                                              ? records::station_public_key_path(station_dir)
                                              : std::filesystem::path(key_);
        const pkg::StationPublicKey pub = pkg::load_station_public_key(key);
        out.text("station key {}: id {}, label {}", key.string(), pub.id, pub.label);
        out.result({{"public_key", key.string()}, {"id", pub.id}, {"label", pub.label}});
        return 0;
    }

  private:
    int keygen(Output& out, const std::filesystem::path& dir) {
        const auto private_path = records::station_private_key_path(dir);
        const auto public_path = records::station_public_key_path(dir);
        if (!force_) {
            for (const auto& path : {private_path, public_path}) {
                std::error_code ec;
                if (std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
                    throw Error(ErrorCode::Usage,
                                fmt::format("station keygen: {} already exists; packages sealed "
                                            "to that key open only with it. Give --force to "
                                            "replace it, or --out another folder",
                                            path.string()));
            }
        }
        const pkg::StationKeyPair pair =
            pkg::generate_station_keys(label_.empty() ? default_label() : label_);
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            throw Error(ErrorCode::Io, fmt::format("creating {}: {}", dir.string(), ec.message()));
        write_file_atomic(private_path, pair.private_pem, FileAccess::Owner);
        write_file_atomic(public_path, pair.public_pem);
        const pkg::StationPublicKey& pub = pair.public_key;
        out.text("wrote {} (private, 0600) and {}", private_path.string(), public_path.string());
        out.text("station key id {}, label {}", pub.id, pub.label);
        out.text("seal packages to it with: rtprov export-pkg ... --seal-to {}",
                 public_path.string());
        out.result({{"private_key", private_path.string()},
                    {"public_key", public_path.string()},
                    {"id", pub.id},
                    {"label", pub.label}});
        return 0;
    }

    CLI::App* keygen_ = nullptr;
    CLI::App* show_ = nullptr;
    std::string label_, out_dir_, key_;
    bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_station_command() {
    return std::make_unique<StationCommand>();
}

}  // namespace rtprov::cli
