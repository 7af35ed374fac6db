// README.txt says what the manifest means, and a package whose README says something else is
// refused when it is read: a reviewer reads the README, `rtprov write` runs the manifest.

#include "readme.hpp"

#include <functional>

#include <gtest/gtest.h>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/plan_view.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

const std::filesystem::path kCorpus =
    std::filesystem::path(RTPROV_SOURCE_DIR) / "tests/data/pkg-corpus";

Bytes exported_zip() {
    test::TempDir t;
    ExportOptions o;
    o.project = test::copy_example(t.path());
    return export_package(o).zip;
}

std::string text_of(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

// The package with README.txt replaced by `edit(README.txt)`, the manifest's hash and size of
// it updated to match: what an attacker with a text editor and sha256sum makes.
Bytes with_readme(const Bytes& zip, const std::function<std::string(std::string)>& edit) {
    std::vector<ZipEntry> entries = read_zip(zip, {});
    Bytes readme;
    for (ZipEntry& e : entries) {
        if (e.name == "README.txt") {
            const std::string text = edit(text_of(e.data));
            e.data.assign(text.begin(), text.end());
            readme = e.data;
        }
    }
    for (ZipEntry& e : entries) {
        if (e.name != "manifest.json")
            continue;
        auto doc = nlohmann::ordered_json::parse(text_of(e.data));
        for (auto& f : doc["files"]) {
            if (f["path"] == "README.txt") {
                f["sha256"] = hab::hash_hex(hab::sha256(readme));
                f["size"] = readme.size();
            }
        }
        const std::string text = doc.dump(2) + "\n";
        e.data.assign(text.begin(), text.end());
    }
    return write_zip(entries, {});
}

std::string error_of(const Bytes& zip) {
    try {
        verify_package(zip, {}, RTPROV_VERSION);
    } catch (const Error& e) {
        return std::string(error_code_name(e.code())) + ": " + e.message();
    }
    return "no error";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
        text.replace(at, from.size(), to);
    return text;
}

TEST(Readme, ShowsTheWritePlanAsImportPkgAndDryRunDo) {
    const Package p = verify_package(exported_zip(), {}, RTPROV_VERSION);
    EXPECT_TRUE(p.warnings.empty());
    const std::string readme = text_of(p.files.at("README.txt"));
    EXPECT_EQ(readme, format_readme(p.manifest));
    std::string block;
    for (const std::string& line : plan_lines(describe_plan(p.manifest)))
        block += line + "\n";
    EXPECT_NE(readme.find(block), std::string::npos) << readme;
    EXPECT_NE(readme.find("\n   3. erase memory 0x9 (flexspi-nor) 0x60000000..0x"),
              std::string::npos)
        << readme;
}

// Attack: a README edited to show a harmless plan (rehashed, so every file still verifies).
TEST(Readme, AnEditedReadmeIsRefused) {
    const Bytes zip = exported_zip();
    const Bytes edited = with_readme(zip, [](std::string text) {
        return replaced(text, "Fuse words the run may touch (irreversible)",
                        "Fuse words the run may touch (none, really)");
    });
    const std::string error = error_of(edited);
    EXPECT_EQ(
        error.rfind("verification: README.txt does not say what manifest.json means (line ", 0), 0u)
        << error;
    EXPECT_NE(error.find("\"Fuse words the run may touch (none, really)\", where the manifest "
                         "means \"Fuse words the run may touch (irreversible)\""),
              std::string::npos)
        << error;
    // Appending is editing too; control characters are shown escaped.
    EXPECT_NE(error_of(with_readme(zip, [](std::string t) { return t + "ok\x1b[2J\n"; })),
              "no error");
    EXPECT_NE(error_of(with_readme(zip, [](std::string t) { return t + "ok\x1b[2J\n"; }))
                  .find("\"ok\\x1b[2J\""),
              std::string::npos);
}

TEST(Readme, ReadmeMustBeListedAsTheReadme) {
    const Bytes zip = exported_zip();
    std::vector<ZipEntry> entries = read_zip(zip, {});
    for (ZipEntry& e : entries) {
        if (e.name != "manifest.json")
            continue;
        std::string text = text_of(e.data);
        text = replaced(text, "\"role\": \"readme\"", "\"role\": \"project\"");
        e.data.assign(text.begin(), text.end());
    }
    EXPECT_EQ(error_of(write_zip(entries, {})),
              "bad-input: manifest.json: file 'README.txt' has role project: README.txt, and "
              "only it, has role readme");
}

// Packages of rtprov 0.1.0 and 0.2.0 keep importing: their README is what that release wrote
// for the manifest (checked all the same), with a warning that it lists less.
TEST(Readme, OlderReleasesReadmesAreCheckedInTheirOwnFormat) {
    for (const char* name : {"1.0/rt1020-flexspi-unsigned.zip", "1.0/rt1020-flexspi-signed.zip",
                             "2.0/rt1020-flexspi-unsigned.zip"}) {
        SCOPED_TRACE(name);
        const Bytes zip = read_file(kCorpus / name);
        const Package p = verify_package(zip, {}, RTPROV_VERSION);
        const std::string release = std::string(name).starts_with("1.0") ? "0.1.0" : "0.2.0";
        EXPECT_EQ(p.warnings, std::vector<std::string>{legacy_readme_warning(release)});
        // Edited, it is refused like a current one.
        const Bytes edited = with_readme(
            zip, [](std::string t) { return replaced(t, "Before use", "Before usage"); });
        EXPECT_EQ(error_of(edited).rfind("verification: README.txt does not say what", 0), 0u)
            << error_of(edited);
        // Migrated, it has the current README and no warning left.
        const MigratedPackage m = migrate_package(zip, {}, std::nullopt, RTPROV_VERSION);
        EXPECT_TRUE(m.warnings.empty());
        const Package after = verify_package(m.zip, {}, RTPROV_VERSION);
        EXPECT_TRUE(after.warnings.empty());
        EXPECT_EQ(text_of(after.files.at("README.txt")), format_readme(after.manifest));
    }
}

// The old formats are accepted only for what those releases could write.
TEST(Readme, OldFormatsOnlyForTheSchemasOfTheirReleases) {
    const Package p = verify_package(exported_zip(), {}, RTPROV_VERSION);
    Manifest m = p.manifest;
    EXPECT_TRUE(format_readme_0_2(m));
    EXPECT_FALSE(format_readme_0_1(m));
    m.production.quota = 5;
    EXPECT_FALSE(format_readme_0_2(m));
    m.production.quota.reset();
    m.schema = SchemaVersion{2, 1};
    EXPECT_FALSE(format_readme_0_2(m));
}

}  // namespace
}  // namespace rtprov::pkg
