// rtprov export-pkg: build a project and write its manufacturing package (zip).

#include <cstdlib>

#include "command.hpp"

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
            "SOURCE_DATE_EPOCH, else 1980-01-01. Private keys are never packaged.");
        app.add_option("-c,--config", project_, "Project file (YAML)")
            ->required()
            ->check(CLI::ExistingFile);
        app.add_option("-o,--output", output_, "Package file (zip, written atomically)")
            ->required();
    }

    int run(Output& out) override {
        pkg::ExportOptions options;
        options.project = project_;
        if (const char* p = std::getenv("RTPROV_KEY_PASSWORD"))
            options.env_password = p;
        if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0')
            options.source_date_epoch = pkg::parse_source_date_epoch(e);
        const pkg::ExportedPackage package = pkg::export_package(options);
        for (const auto& w : package.warnings)
            out.warning(w);
        write_file_atomic(output_, package.zip);

        const pkg::Manifest& m = package.manifest;
        out.text("wrote {} ({} bytes): {} {}, {} files, {} fuse words, schema {}.{}", output_,
                 package.zip.size(), m.device, m.boot_device, m.files.size() + 1, m.fuses.size(),
                 m.schema.major, m.schema.minor);
        nlohmann::json doc = {{"output", output_},           {"size", package.zip.size()},
                              {"device", m.device},          {"boot_device", m.boot_device},
                              {"files", m.files.size() + 1}, {"fuse_words", m.fuses.size()}};
        out.result(doc);
        return 0;
    }

  private:
    std::string project_, output_;
};

}  // namespace

std::unique_ptr<Command> make_export_pkg_command() {
    return std::make_unique<ExportPkgCommand>();
}

}  // namespace rtprov::cli
