#include "rtprov/pkg/diff.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/pki.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

using test::copy_example;

const std::filesystem::path kSource = RTPROV_SOURCE_DIR;

Package exported(const std::filesystem::path& project) {
    ExportOptions o;
    o.project = project;
    return verify_package(export_package(o).zip, {}, "0.2.0");
}

// Flips one data bit of the app's second S3 record (checksum fixed): same size, new content.
void edit_app(const std::filesystem::path& srec_path) {
    std::string srec = read_text_file(srec_path);
    const auto line = srec.find("\nS3", srec.find("\nS3") + 1) + 1;
    const auto end = srec.find_first_of("\r\n", line);
    std::string rec = srec.substr(line, end - line);
    rec[12] = rec[12] == '0' ? '1' : '0';
    unsigned long sum = 0;
    for (std::size_t i = 2; i + 2 < rec.size(); i += 2)
        sum += std::stoul(rec.substr(i, 2), nullptr, 16);
    rec.replace(rec.size() - 2, 2, fmt::format("{:02X}", ~sum & 0xFF));
    srec.replace(line, end - line, rec);
    write_file_atomic(srec_path, srec);
}

// Adds a hab: section signing with a fresh one-SRK PKI made from `seed`.
void sign_with(const std::filesystem::path& project, const std::string& seed) {
    hab::PkiOptions o;
    o.srk_count = 1;
    o.rng_seed = seed;
    const std::filesystem::path pki = project.parent_path() / "pki";
    std::filesystem::remove_all(pki);
    hab::write_pki(hab::generate_pki(o), pki);
    std::string yaml = read_text_file(project);
    if (!yaml.starts_with("hab:\n") && yaml.find("\nhab:\n") == std::string::npos) {
        yaml +=
            "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
            "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  signature_time: 2024-01-31T12:00:00Z\n";
    }
    test::write_text(project, yaml);
}

std::vector<std::string> subjects(const PackageDiff& d, DiffArea area) {
    std::vector<std::string> out;
    for (const Change& c : d.changes)
        if (c.area == area)
            out.push_back(fmt::format("{} {}", diff_kind_name(c.kind), c.subject));
    return out;
}

const FieldChange* field(const Change& c, std::string_view name) {
    for (const auto& f : c.fields)
        if (f.field == name)
            return &f;
    return nullptr;
}

TEST(Diff, IdenticalPackagesGiveNoChanges) {
    test::TempDir t;
    const Package a = exported(copy_example(t / "a"));
    const Package b = exported(copy_example(t / "b"));
    const PackageDiff d = diff_packages(a, b);
    EXPECT_TRUE(d.empty());
    EXPECT_FALSE(d.srk_changed());
}

TEST(Diff, ChangedAppListsTheImageAndTheFilesWhoseHashChanged) {
    test::TempDir t;
    const auto project = copy_example(t.path());
    const Package a = exported(project);
    edit_app(t / "app/blinky.srec");
    const Package b = exported(project);
    const PackageDiff d = diff_packages(a, b);

    EXPECT_EQ(subjects(d, DiffArea::Fuses), std::vector<std::string>{});
    EXPECT_EQ(subjects(d, DiffArea::WritePlan), std::vector<std::string>{});
    EXPECT_EQ(subjects(d, DiffArea::Images), std::vector<std::string>{"changed flexspi-nor"});
    EXPECT_EQ(subjects(d, DiffArea::Files),
              (std::vector<std::string>{"changed README.txt", "changed images/flexspi-nor.bin",
                                        "changed project/app/blinky.srec"}));
    ASSERT_FALSE(d.changes.empty());
    const Change& image = d.changes.front();  // images come before files
    ASSERT_EQ(image.area, DiffArea::Images);
    ASSERT_EQ(image.fields.size(), 1u);  // same size, same place: only the content
    EXPECT_EQ(image.fields[0].field, "sha256");
    EXPECT_EQ(image.fields[0].before, file_entry(a.manifest, "images/flexspi-nor.bin").sha256);
    EXPECT_EQ(image.fields[0].after, file_entry(b.manifest, "images/flexspi-nor.bin").sha256);
    // The app is data, not a project text file: no line diff.
    EXPECT_TRUE(d.changes.back().text_diff.empty());
}

TEST(Diff, NewSrkKeysChangeTheFuseWordsListedFirst) {
    test::TempDir t;
    const auto project = copy_example(t.path());
    sign_with(project, "diff_test one");
    const Package a = exported(project);
    sign_with(project, "diff_test two");
    const Package b = exported(project);
    const PackageDiff d = diff_packages(a, b);

    EXPECT_TRUE(d.srk_changed());
    ASSERT_GE(d.changes.size(), 8u);
    for (std::size_t i = 0; i < 8; ++i) {
        const Change& c = d.changes[i];
        EXPECT_EQ(c.area, DiffArea::Fuses);
        EXPECT_EQ(c.kind, DiffKind::Changed);
        EXPECT_EQ(c.subject, fmt::format("SRK{}", i));
        ASSERT_EQ(c.fields.size(), 1u);  // the lock policy stayed
        EXPECT_EQ(c.fields[0].field, "value");
        EXPECT_EQ(c.fields[0].before, fmt::format("0x{:08x}", a.manifest.fuses[i].value));
        EXPECT_EQ(c.fields[0].after, fmt::format("0x{:08x}", b.manifest.fuses[i].value));
    }
    const auto files = subjects(d, DiffArea::Files);
    EXPECT_NE(std::find(files.begin(), files.end(), "changed fuses/srk_hash.bin"), files.end());
    EXPECT_NE(std::find(files.begin(), files.end(), "changed project/pki/srk/SRK_table.bin"),
              files.end());
    EXPECT_EQ(subjects(d, DiffArea::Features), std::vector<std::string>{});
}

TEST(Diff, SigningAddsFusesFeaturesAndWriteSteps) {
    test::TempDir t;
    const auto project = copy_example(t.path());
    const Package a = exported(project);
    sign_with(project, "diff_test");
    const Package b = exported(project);
    const PackageDiff d = diff_packages(a, b);

    EXPECT_FALSE(d.srk_changed());  // burned from now on, but no part was fused for `a`
    const auto fuses = subjects(d, DiffArea::Fuses);
    ASSERT_EQ(fuses.size(), 8u);
    EXPECT_EQ(fuses.front(), "added SRK0");
    const Change& srk0 = d.changes.front();
    EXPECT_EQ(*field(srk0, "lock"), (FieldChange{"lock", "", "after-verify SRK_LOCK"}));
    EXPECT_EQ(subjects(d, DiffArea::Features),
              (std::vector<std::string>{"added fuse-srk", "added hab-signed"}));
    const auto steps = subjects(d, DiffArea::WritePlan);
    ASSERT_GE(steps.size(), 2u);
    EXPECT_EQ(steps[steps.size() - 2].substr(0, 6), "added ");
    EXPECT_NE(steps[steps.size() - 2].find(": program-fuses"), std::string::npos);
    EXPECT_NE(steps.back().find(": lock-fuses"), std::string::npos);
    for (const Change& c : d.changes) {
        if (c.area == DiffArea::Images) {
            EXPECT_EQ(*field(c, "signed"), (FieldChange{"signed", "false", "true"}));
        }
        if (c.area == DiffArea::WritePlan && c.kind == DiffKind::Added &&
            c.subject.ends_with("program-fuses")) {
            EXPECT_EQ(field(c, "words")->after, "SRK0 SRK1 SRK2 SRK3 SRK4 SRK5 SRK6 SRK7");
        }
    }
    // The project file gained the hab: section: a line diff shows it.
    const auto it = std::find_if(d.changes.begin(), d.changes.end(), [](const Change& c) {
        return c.subject == "project/project.yaml";
    });
    ASSERT_NE(it, d.changes.end());
    ASSERT_FALSE(it->text_diff.empty());
    EXPECT_EQ(it->text_diff[0].substr(0, 4), "@@ -");
    EXPECT_NE(std::find(it->text_diff.begin(), it->text_diff.end(), "+hab:"), it->text_diff.end());
}

TEST(Diff, AMigratedPackageDiffersFromItsOriginalInSchemaAndReadme) {
    const Bytes old = read_file(kSource / "tests/data/pkg-corpus/1.0/rt1020-flexspi-unsigned.zip");
    const Package a = verify_package(old, {}, "0.2.0");
    const Package b =
        verify_package(migrate_package(old, {}, std::nullopt, "0.2.0").zip, {}, "0.2.0");
    const PackageDiff d = diff_packages(a, b);
    ASSERT_EQ(d.changes.size(), 2u);
    EXPECT_EQ(d.changes[0].area, DiffArea::Files);
    EXPECT_EQ(d.changes[0].subject, "README.txt");
    EXPECT_EQ(d.changes[1].area, DiffArea::Manifest);
    EXPECT_EQ(d.changes[1].fields, (std::vector<FieldChange>{{"schema_version", "1.0", "2.0"}}));
}

TEST(TextLineDiff, GivesUnifiedHunksWithContext) {
    EXPECT_TRUE(text_line_diff("a\nb\n", "a\nb\n").empty());
    EXPECT_EQ(text_line_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n"),
              (std::vector<std::string>{"@@ -3,5 +3,5 @@", " 3", " 4", "-5", "+five", " 6", " 7"}));
    // Two changes more than 2 * context lines apart: two hunks.
    EXPECT_EQ(text_line_diff("a\nb\nc\nd\ne\nf\ng\n", "A\nb\nc\nd\ne\nf\nG\n", 1),
              (std::vector<std::string>{"@@ -1,2 +1,2 @@", "-a", "+A", " b", "@@ -6,2 +6,2 @@",
                                        " f", "-g", "+G"}));
    // Lines added at the end of a file; an empty side is numbered by the line before it.
    EXPECT_EQ(text_line_diff("x\n", "x\ny\n"),
              (std::vector<std::string>{"@@ -1,1 +1,2 @@", " x", "+y"}));
    EXPECT_EQ(text_line_diff("", "y\n"), (std::vector<std::string>{"@@ -0,0 +1,1 @@", "+y"}));
}

TEST(TextLineDiff, IsCutAtMaxLines) {
    std::string before, after;
    for (int i = 0; i < 30; ++i) {
        before += fmt::format("old {}\n", i);
        after += fmt::format("new {}\n", i);
    }
    const auto d = text_line_diff(before, after, 2, 10);
    ASSERT_EQ(d.size(), 10u);
    EXPECT_EQ(d[0], "@@ -1,30 +1,30 @@");
    EXPECT_EQ(d[9], "... 52 more lines");
}

}  // namespace
}  // namespace rtprov::pkg
