// rtprov pkg: work on manufacturing packages as releases: `diff` two of them, `migrate` one to
// the current manifest schema.

#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli_errors.hpp"
#include "command.hpp"
#include "package_options.hpp"
#include "rtprov/pkg/diff.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

namespace {

constexpr const char* kTrustKeyHelp =
    "Require packages signed by this key (public key, certificate or key PEM; repeatable: any of "
    "them; default: $RTPROV_TRUST_KEY)";

// Reads and verifies a package (its signature too, with trust keys); errors name the file.
pkg::Package load(const std::string& path, const pkg::TrustOptions& trust, Output& out) {
    const Bytes zip = read_file(path);
    pkg::Package p = with_context(
        path, [&] { return pkg::verify_package(zip, pkg::ZipLimits{}, RTPROV_VERSION, trust); });
    for (const auto& w : p.warnings)
        out.warning(fmt::format("{}: {}", path, w));
    return p;
}

// "value 0x1 -> 0x2, lock none -> after-verify SRK_LOCK" or, added/removed, "value 0x1, ...".
std::string describe(const pkg::Change& c) {
    std::vector<std::string> parts;
    for (const auto& f : c.fields) {
        if (c.kind == pkg::DiffKind::Changed) {
            parts.push_back(fmt::format("{} {} -> {}", f.field,
                                        f.before.empty() ? "(none)" : f.before,
                                        f.after.empty() ? "(none)" : f.after));
        } else {
            parts.push_back(
                fmt::format("{} {}", f.field, c.kind == pkg::DiffKind::Added ? f.after : f.before));
        }
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::json change_json(const pkg::Change& c) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : c.fields) {
        fields.push_back(
            {{"field", f.field},
             {"old", c.kind == pkg::DiffKind::Added ? nlohmann::json() : nlohmann::json(f.before)},
             {"new",
              c.kind == pkg::DiffKind::Removed ? nlohmann::json() : nlohmann::json(f.after)}});
    }
    nlohmann::json doc = {{"area", pkg::diff_area_name(c.area)},
                          {"kind", pkg::diff_kind_name(c.kind)},
                          {"subject", c.subject},
                          {"fields", fields}};
    if (!c.text_diff.empty())
        doc["text_diff"] = c.text_diff;
    return doc;
}

class PkgCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.require_subcommand(1);
        diff_ = app.add_subcommand("diff", "Show what changed between two packages (releases)");
        diff_->add_option("old", old_, "The older package (zip)")->required();
        diff_->add_option("new", new_, "The newer package (zip)")->required();
        diff_->add_flag("--exit-code", exit_code_,
                        "Exit with 1 when the packages differ (like git diff); default: 0");
        diff_->add_option("--trust-key", trust_keys_, kTrustKeyHelp)->check(existing_file_or_token());
        diff_->footer(
            "Both packages are verified first (with --trust-key or RTPROV_TRUST_KEY: both must be\n"
            "signed by a trusted key). Changes are grouped: fuses (an SRK word that\n"
            "changed means new signing keys), images, flashloaders, write-plan, features, files\n"
            "(size and SHA-256; a changed project text file with a short line diff), manifest\n"
            "(schema_version as written, device, writer, signer). '+' added, '-' removed, '~'\n"
            "changed.\n"
            "--json: {\"identical\": bool, \"srk_changed\": bool, \"changes\": [{\"area\", "
            "\"kind\",\n"
            "\"subject\", \"fields\": [{\"field\", \"old\", \"new\"}], \"text_diff\"}]}.\n"
            "Exit status: 0 whether or not they differ; with --exit-code 0 identical, 1 differ;\n"
            "2 or more when a package cannot be read or verified (see rtprov --help).");
        migrate_ = app.add_subcommand("migrate", "Rewrite a package in the current schema");
        migrate_->add_option("package", old_, "The package to migrate (zip)")->required();
        migrate_
            ->add_option("-o,--output", output_, "The migrated package (zip, written atomically)")
            ->required();
        migrate_->add_option("--trust-key", trust_keys_, kTrustKeyHelp)->check(existing_file_or_token());
        migrate_->footer(
            "Verifies the package (schema 1.0 of rtprov 0.1.0 or current; with --trust-key or\n"
            "RTPROV_TRUST_KEY its signature too), then writes the same\n"
            "files with manifest.json and README.txt in the current schema: images placed and\n"
            "the write plan made as export-pkg makes them. Entry times are SOURCE_DATE_EPOCH,\n"
            "else 1980-01-01: migrating again gives the same bytes. A package already current\n"
            "is rewritten with the same content (and a note).");
        app.footer(
            "Examples:\n"
            "  rtprov pkg diff release-1.zip release-2.zip\n"
            "  rtprov pkg diff --exit-code --json old.zip new.zip\n"
            "  rtprov pkg migrate old_pkg.zip -o new_pkg.zip");
    }

    int run(Output& out) override { return diff_->parsed() ? run_diff(out) : run_migrate(out); }

  private:
    int run_diff(Output& out) {
        const pkg::TrustOptions trust = trust_options(trust_keys_);
        const pkg::Package a = load(old_, trust, out);
        const pkg::Package b = load(new_, trust, out);
        const pkg::PackageDiff d = pkg::diff_packages(a, b);
        nlohmann::json doc = {{"old", old_},
                              {"new", new_},
                              {"identical", d.empty()},
                              {"srk_changed", d.srk_changed()},
                              {"changes", nlohmann::json::array()}};
        if (d.empty())
            out.text("{} -> {}: no differences", old_, new_);
        else
            out.text("{} -> {}: {} changes", old_, new_, d.changes.size());
        for (std::size_t i = 0; i < d.changes.size(); ++i) {
            const pkg::Change& c = d.changes[i];
            if (i == 0 || d.changes[i - 1].area != c.area)
                out.text("{}:", pkg::diff_area_name(c.area));
            const char mark = c.kind == pkg::DiffKind::Added     ? '+'
                              : c.kind == pkg::DiffKind::Removed ? '-'
                                                                 : '~';
            out.text("  {} {}: {}", mark, c.subject, describe(c));
            for (const auto& line : c.text_diff)
                out.text("      {}", line);
            if (c.area == pkg::DiffArea::Fuses && d.srk_changed() &&
                (i + 1 == d.changes.size() || d.changes[i + 1].area != c.area)) {
                out.text(
                    "  note: the SRK fuse words differ (new signing keys): parts fused for {} "
                    "will not boot the signed images of {}",
                    old_, new_);
            }
            doc["changes"].push_back(change_json(c));
        }
        out.result(doc);
        return exit_code_ && !d.empty() ? 1 : 0;
    }

    int run_migrate(Output& out) {
        const pkg::TrustOptions trust = trust_options(trust_keys_);
        const Bytes zip = read_file(old_);
        // The migrated package is unsigned: with trust keys, only a trusted one is migrated.
        if (!trust.trusted_keys.empty()) {
            with_context(old_, [&] {
                return pkg::verify_package(zip, pkg::ZipLimits{}, RTPROV_VERSION, trust);
            });
        }
        std::optional<std::int64_t> epoch;
        if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0')
            epoch = pkg::parse_source_date_epoch(e);
        const pkg::MigratedPackage m = with_context(old_, [&] {
            return pkg::migrate_package(zip, pkg::ZipLimits{}, epoch, RTPROV_VERSION);
        });
        for (const auto& w : m.warnings)
            out.warning(fmt::format("{}: {}", old_, w));
        write_file_atomic(output_, m.zip);

        const pkg::SchemaVersion to = m.to;
        const std::string from_text = fmt::format("{}.{}", m.from.major, m.from.minor);
        const std::string to_text = fmt::format("{}.{}", to.major, to.minor);
        const bool migrated = m.from != to;
        if (migrated) {
            out.text("migrated schema {} -> {}: wrote {} ({} bytes)", from_text, to_text, output_,
                     m.zip.size());
        } else {
            out.text("note: {} is already schema {}; rewritten with the same content", old_,
                     to_text);
            out.text("wrote {} ({} bytes)", output_, m.zip.size());
        }
        out.result({{"package", old_},
                    {"output", output_},
                    {"size", m.zip.size()},
                    {"from", from_text},
                    {"to", to_text},
                    {"migrated", migrated},
                    {"warnings", m.warnings}});
        return 0;
    }

    CLI::App* diff_ = nullptr;
    CLI::App* migrate_ = nullptr;
    std::string old_, new_, output_;
    std::vector<std::string> trust_keys_;
    bool exit_code_ = false;
};

}  // namespace

std::unique_ptr<Command> make_pkg_command() {
    return std::make_unique<PkgCommand>();
}

}  // namespace rtprov::cli
