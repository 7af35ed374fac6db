// rtprov import-pkg: verify a manufacturing package, print what it holds, optionally extract it.

#include "command.hpp"

#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/package.hpp"
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
            "a folder that must not exist yet (atomically: nothing is left on failure).");
        app.add_option("package", package_, "Package file (zip)")->required();
        app.add_option("--to", to_, "Extract into this new folder after verifying");
    }

    int run(Output& out) override {
        const Bytes zip = read_file(package_);
        const pkg::Package package = with_context(
            package_, [&] { return pkg::verify_package(zip, pkg::ZipLimits{}, RTPROV_VERSION); });
        for (const auto& w : package.warnings)
            out.warning(w);
        if (!to_.empty())
            pkg::extract_package(package, to_);

        const pkg::Manifest& m = package.manifest;
        out.text("{}: verified, schema {}.{} (written by {}), {} files", package_, m.schema.major,
                 m.schema.minor, m.writer, m.files.size() + 1);
        out.text("device {}, boot device {}", m.device, m.boot_device);
        nlohmann::json doc = {
            {"package", package_},
            {"verified", true},
            {"schema_version", fmt::format("{}.{}", m.schema.major, m.schema.minor)},
            {"writer", m.writer},
            {"device", m.device},
            {"boot_device", m.boot_device},
            {"requires", nlohmann::json::array()},
            {"images", nlohmann::json::array()},
            {"fuses", nlohmann::json::array()},
            {"warnings", package.warnings}};
        for (const auto& f : m.required)
            doc["requires"].push_back(f.name);
        for (const pkg::FileEntry* f : pkg::package_images(m)) {
            out.text("image {}: {}, {} bytes, {}, sha256 {}", f->path, f->boot_device.value_or(""),
                     f->size, f->is_signed ? "signed" : "unsigned", f->sha256);
            doc["images"].push_back({{"path", f->path},
                                     {"boot_device", f->boot_device.value_or("")},
                                     {"size", f->size},
                                     {"signed", f->is_signed},
                                     {"sha256", f->sha256}});
        }
        for (const auto& w : m.fuses) {
            out.text("fuse {} (OTP index 0x{:02X}) = {}{}", w.word, w.index,
                     hab::format_fuse_word(w.value),
                     w.lock == pkg::LockPolicy::None ? "" : ", then " + w.lock_field);
            doc["fuses"].push_back({{"word", w.word},
                                    {"index", w.index},
                                    {"value", w.value},
                                    {"lock", pkg::lock_policy_name(w.lock)}});
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
};

}  // namespace

std::unique_ptr<Command> make_import_pkg_command() {
    return std::make_unique<ImportPkgCommand>();
}

}  // namespace rtprov::cli
