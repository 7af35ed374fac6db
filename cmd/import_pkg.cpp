// rtprov import-pkg: verify a manufacturing package, print what it holds, optionally extract it.

#include "cli_errors.hpp"
#include "command.hpp"
#include "package_options.hpp"

#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/plan_view.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

class ImportPkgCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.footer(
            "Examples:\n"
            "  rtprov import-pkg blinky_pkg.zip\n"
            "  rtprov import-pkg blinky_pkg.zip --to factory/blinky --json\n"
            "Checks everything before use: zip structure (no '..', absolute paths, links,\n"
            "duplicates, encryption; size and ratio limits), the manifest schema and required\n"
            "features, and every file's size and SHA-256. --to extracts only after that, into\n"
            "a folder that must not exist yet (atomically: nothing is left on failure).\n"
            "Prints what `rtprov write` runs, from the write plan: every step, memory range\n"
            "and fuse word (the package's README.txt says the same and is checked against it).");
        app.add_option("package", package_, "Package file (zip)")->required();
        app.add_option("--to", to_, "Extract into this new folder after verifying");
        app.add_option("--trust-key", trust_keys_,
                       "Require a package signed by this key (public key, certificate or key "
                       "PEM, or a token key's pkcs11: URI; repeatable; default: "
                       "$RTPROV_TRUST_KEY)")
            ->check(existing_file_or_token());
    }

    int run(Output& out) override {
        const Bytes zip = read_file(package_);
        const pkg::TrustOptions trust = trust_options(trust_keys_);
        const pkg::Package package = with_context(package_, [&] {
            return pkg::verify_package(zip, pkg::ZipLimits{}, RTPROV_VERSION, trust);
        });
        for (const auto& w : package.warnings)
            out.warning(w);
        if (!to_.empty())
            pkg::extract_package(package, to_);

        const pkg::Manifest& m = package.manifest;
        const std::string schema = fmt::format("{}.{}", m.schema.major, m.schema.minor);
        const std::string from =
            m.migrated_from ? fmt::format("{}.{}", m.migrated_from->major, m.migrated_from->minor)
                            : "";
        out.text("{}: verified, schema {}{} (written by {}), {} files", package_, schema,
                 from.empty() ? "" : " (migrated from " + from + ")", m.writer, m.files.size() + 1);
        out.text("device {}", m.device);
        if (package.signer) {
            out.text("signed by key {}{}", *package.signer,
                     package.signature_trusted ? " (trusted)" : " (not checked)");
        }
        nlohmann::json doc = {
            {"package", package_},
            {"verified", true},
            {"package_sha256", hab::hash_hex(hab::sha256(zip))},
            {"schema_version", schema},
            {"migrated_from", from.empty() ? nlohmann::json() : nlohmann::json(from)},
            {"writer", m.writer},
            {"device", m.device},
            {"requires", nlohmann::json::array()},
            {"images", nlohmann::json::array()},
            {"flashloaders", nlohmann::json::array()},
            {"fuses", nlohmann::json::array()},
            {"write_plan", nlohmann::json::array()},
            {"signer", package.signer ? nlohmann::json(*package.signer) : nlohmann::json()},
            {"signature_trusted", package.signature_trusted},
            {"warnings", package.warnings}};
        for (const auto& f : m.required)
            doc["requires"].push_back(f.name);
        if (m.secrets) {
            // What is sealed and to whom, read from the file itself (its names and recipients
            // are authenticated when a station opens it).
            const Bytes& data = package.files.at(m.secrets->file);
            const pkg::SecretsInfo info = pkg::describe_secrets(
                std::string_view(reinterpret_cast<const char*>(data.data()), data.size()),
                m.secrets->file);
            nlohmann::json stations = nlohmann::json::array();
            std::vector<std::string> to;
            for (const auto& r : info.recipients) {
                stations.push_back({{"id", r.id}, {"label", r.label}});
                to.push_back(fmt::format("{} ({})", r.label, r.id));
            }
            if (info.scheme == pkg::kPlainScheme) {
                out.text("secrets: {} IN THE CLEAR ({})", fmt::join(info.names, ", "),
                         m.secrets->file);
            } else {
                out.text("secrets: {} sealed ({}) to {}", fmt::join(info.names, ", "), info.scheme,
                         fmt::join(to, ", "));
            }
            doc["secrets"] = {{"file", m.secrets->file},
                              {"scheme", info.scheme},
                              {"sealed", m.secrets->sealed},
                              {"names", info.names},
                              {"stations", stations}};
        }
        // What runs, from the write plan (the same description as README.txt and
        // write --dry-run); images[] and flashloaders[] only in the JSON, as listed.
        const pkg::PlanView plan = pkg::describe_plan(m);
        for (const std::string& line : pkg::plan_lines(plan))
            out.text("{}", line);
        doc["plan"] = pkg::plan_json(plan);
        for (const pkg::ImageEntry& img : m.images) {
            const pkg::FileEntry& f = pkg::file_entry(m, img.file);
            doc["images"].push_back({{"path", f.path},
                                     {"boot_device", img.boot_device},
                                     {"memory_id", img.memory_id},
                                     {"address", img.address},
                                     {"size", f.size},
                                     {"signed", img.is_signed},
                                     {"sha256", f.sha256}});
        }
        for (const pkg::FlashloaderEntry& fl : m.flashloaders) {
            doc["flashloaders"].push_back({{"path", fl.file},
                                           {"signed", fl.is_signed},
                                           {"load_address", fl.load_address},
                                           {"ivt_address", fl.ivt_address}});
        }
        for (const pkg::WriteStep& s : m.write_plan)
            doc["write_plan"].push_back(pkg::step_op_name(s.op));
        for (const auto& w : m.fuses) {
            doc["fuses"].push_back({{"word", w.word},
                                    {"index", w.index},
                                    {"value", w.value},
                                    {"lock", pkg::lock_policy_name(w.lock)},
                                    {"lock_field", w.lock_field}});
        }
        if (!to_.empty()) {
            out.text("extracted to {}", to_);
            doc["extracted_to"] = to_;
        }
        out.result(doc);
        return 0;
    }

  private:
    std::string package_, to_;
    std::vector<std::string> trust_keys_;
};

}  // namespace

std::unique_ptr<Command> make_import_pkg_command() {
    return std::make_unique<ImportPkgCommand>();
}

}  // namespace rtprov::cli
