#include "rtprov/pkg/diff.hpp"

#include <functional>

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
    EXPECT_EQ(srk0.fields, (std::vector<FieldChange>{{"index", "", "24"},
                                                     {"value", "", srk0.fields.at(1).after},
                                                     {"lock", "", "after-verify"},
                                                     {"lock_field", "", "SRK_LOCK"}}));
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

// A package with something in every area: fuses, a flashloader, every kind of step.
Package rich_package() {
    test::TempDir t;
    Package p = exported(copy_example(t.path()));
    Manifest& m = p.manifest;
    m.files.push_back({"flashloader/flashloader.bin", std::string(64, 'b'), 1092,
                       FileRole::Flashloader});
    m.flashloaders.push_back({"flashloader/flashloader.bin", false, 0x20208C00, 0x20208C00});
    m.fuses.push_back({"SRK0", 0x18, 0x12345678, LockPolicy::AfterVerify, "SRK_LOCK", kWholeWord, ""});
    m.fuses.push_back({"SRK1", 0x19, 0x9abcdef0, LockPolicy::AfterVerify, "SRK_LOCK", kWholeWord, ""});
    WriteStep config;
    config.op = StepOp::ConfigureMemory;
    config.memory_id = 9;
    config.option_words = {0xC0000007};
    WriteStep data;
    data.op = StepOp::PerBoardData;
    data.data = {"serial", BoardDataSource::Counter, 1000, "", BoardDataFormat::Le32, 4, 9,
                 0x60100000, {}};
    WriteStep mac;
    mac.op = StepOp::PerBoardData;
    mac.data = {"mac", BoardDataSource::Csv, 0, "mac", BoardDataFormat::Hex, 6, 0, 0,
                {"MAC0", "MAC1"}};
    WriteStep program;
    program.op = StepOp::ProgramFuses;
    program.words = {"SRK0", "SRK1"};
    WriteStep lock;
    lock.op = StepOp::LockFuses;
    lock.field = "SRK_LOCK";
    auto& plan = m.write_plan;
    plan.insert(plan.begin() + 1, config);
    plan.insert(plan.end() - 1, {data, mac, program, lock});
    m.production.quota = 10;
    return p;
}

std::size_t index_of(const Manifest& m, StepOp op, std::size_t nth = 0) {
    for (std::size_t i = 0; i < m.write_plan.size(); ++i)
        if (m.write_plan[i].op == op && nth-- == 0)
            return i;
    ADD_FAILURE() << "no step " << step_op_name(op);
    return 0;
}

struct Edit {
    DiffArea area;
    std::string field;
    std::string before, after;
    std::function<void(Manifest&)> apply;
};

// Every field of the manifest: changed alone, the diff names it with both values.
TEST(Diff, EveryFieldChangedShowsItsNameAndBothValues) {
    const Package a = rich_package();
    const auto step = [](StepOp op, std::size_t nth = 0) {
        return [op, nth](Manifest& m) -> WriteStep& { return m.write_plan[index_of(m, op, nth)]; };
    };
    const std::vector<Edit> edits = {
        // fuses[]: an index that moved is no longer two identical-looking lines.
        {DiffArea::Fuses, "index", "24", "6", [](Manifest& m) { m.fuses[0].index = 6; }},
        {DiffArea::Fuses, "value", "0x12345678", "0x12345679",
         [](Manifest& m) { m.fuses[0].value = 0x12345679; }},
        {DiffArea::Fuses, "lock", "after-verify", "none",
         [](Manifest& m) { m.fuses[0].lock = LockPolicy::None; }},
        {DiffArea::Fuses, "lock_field", "SRK_LOCK", "BOOT_CFG_LOCK",
         [](Manifest& m) { m.fuses[0].lock_field = "BOOT_CFG_LOCK"; }},
        {DiffArea::Fuses, "word", "SRK1", "BOOT_CFG1", [](Manifest& m) { m.fuses[1].word = "BOOT_CFG1"; }},
        // images[], flashloaders[], files[].
        {DiffArea::Images, "memory_id", "9", "8", [](Manifest& m) { m.images[0].memory_id = 8; }},
        {DiffArea::Images, "address", "0x60000000", "0x60001000",
         [](Manifest& m) { m.images[0].address = 0x60001000; }},
        {DiffArea::Images, "signed", "false", "true",
         [](Manifest& m) { m.images[0].is_signed = true; }},
        {DiffArea::Images, "file", "images/flexspi-nor.bin", "flashloader/flashloader.bin",
         [](Manifest& m) { m.images[0].file = "flashloader/flashloader.bin"; }},
        {DiffArea::Images, "boot_device", "flexspi-nor", "semc-nor",
         [](Manifest& m) { m.images[0].boot_device = "semc-nor"; }},
        {DiffArea::Flashloaders, "load_address", "0x20208c00", "0x20200000",
         [](Manifest& m) { m.flashloaders[0].load_address = 0x20200000; }},
        {DiffArea::Flashloaders, "ivt_address", "0x20208c00", "0x20200400",
         [](Manifest& m) { m.flashloaders[0].ivt_address = 0x20200400; }},
        {DiffArea::Flashloaders, "signed", "false", "true",
         [](Manifest& m) { m.flashloaders[0].is_signed = true; }},
        {DiffArea::Files, "role", "flashloader", "project",
         [](Manifest& m) { m.files.back().role = FileRole::Project; }},
        {DiffArea::Files, "size", "1092", "1093", [](Manifest& m) { m.files.back().size = 1093; }},
        // Write plan steps: every WriteStep field, data.* included.
        {DiffArea::WritePlan, "option_words", "0xc0000007", "0xc0233007",
         [=](Manifest& m) { step(StepOp::ConfigureMemory)(m).option_words = {0xC0233007}; }},
        {DiffArea::WritePlan, "fcb_offset", "0", "1024",
         [=](Manifest& m) { step(StepOp::ConfigureMemory, 1)(m).fcb_offset = 1024; }},
        {DiffArea::WritePlan, "fcb_file", "images/flexspi-nor.bin", "images/fcb.bin",
         [=](Manifest& m) { step(StepOp::ConfigureMemory, 1)(m).fcb_file = "images/fcb.bin"; }},
        {DiffArea::WritePlan, "memory_id", "9", "8",
         [=](Manifest& m) { step(StepOp::Erase)(m).memory_id = 8; }},
        {DiffArea::WritePlan, "address", "0x60000000", "0x607ff000",
         [=](Manifest& m) { step(StepOp::Erase)(m).address = 0x607FF000; }},
        {DiffArea::WritePlan, "length",
         fmt::format("{}", a.manifest.write_plan[index_of(a.manifest, StepOp::Erase)].length),
         "4294971392",
         [=](Manifest& m) { step(StepOp::Erase)(m).length = (std::uint64_t{1} << 32) + 4096; }},
        {DiffArea::WritePlan, "file", "images/flexspi-nor.bin", "project/project.yaml",
         [=](Manifest& m) { step(StepOp::Write)(m).file = "project/project.yaml"; }},
        // A field the op does not use is shown all the same.
        {DiffArea::WritePlan, "file", "", "images/flexspi-nor.bin",
         [=](Manifest& m) { step(StepOp::Erase)(m).file = "images/flexspi-nor.bin"; }},
        {DiffArea::WritePlan, "words", "SRK0 SRK1", "SRK0",
         [=](Manifest& m) { step(StepOp::ProgramFuses)(m).words = {"SRK0"}; }},
        {DiffArea::WritePlan, "field", "SRK_LOCK", "BOOT_CFG_LOCK",
         [=](Manifest& m) { step(StepOp::LockFuses)(m).field = "BOOT_CFG_LOCK"; }},
        {DiffArea::WritePlan, "data.name", "serial", "serial2",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.name = "serial2"; }},
        {DiffArea::WritePlan, "data.source", "counter", "uid",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.source = BoardDataSource::Uid; }},
        {DiffArea::WritePlan, "data.start", "1000", "2000",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.start = 2000; }},
        {DiffArea::WritePlan, "data.column", "mac", "mac2",
         [=](Manifest& m) { step(StepOp::PerBoardData, 1)(m).data.column = "mac2"; }},
        {DiffArea::WritePlan, "data.format", "le32", "text",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.format = BoardDataFormat::Text; }},
        {DiffArea::WritePlan, "data.size", "4", "8",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.size = 8; }},
        {DiffArea::WritePlan, "data.memory_id", "9", "8",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.memory_id = 8; }},
        {DiffArea::WritePlan, "data.address", "0x60100000", "0x60000000",
         [=](Manifest& m) { step(StepOp::PerBoardData)(m).data.address = 0x60000000; }},
        {DiffArea::WritePlan, "data.fuses", "MAC0 MAC1", "MAC0 GP1",
         [=](Manifest& m) { step(StepOp::PerBoardData, 1)(m).data.fuses = {"MAC0", "GP1"}; }},
        // The rest of the manifest.
        {DiffArea::Features, "added_in", "0.1.0", "0.0.9",
         [](Manifest& m) { m.required.push_back({"zz-feature", "0.1.0"}); }},
        {DiffArea::Manifest, "production.quota", "10", "11",
         [](Manifest& m) { m.production.quota = 11; }},
        {DiffArea::Manifest, "device", "mimxrt1020", "mimxrt1060",
         [](Manifest& m) { m.device = "mimxrt1060"; }},
    };
    for (const Edit& e : edits) {
        SCOPED_TRACE(fmt::format("{} {}", diff_area_name(e.area), e.field));
        Package b = a;
        e.apply(b.manifest);
        Package before = a;
        if (e.area == DiffArea::Features) {  // a feature both have, with another version
            before.manifest.required.push_back({"zz-feature", "0.1.0"});
            b.manifest.required.back().added_in = "0.0.9";
        }
        const PackageDiff d = diff_packages(before, b);
        bool found = false;
        for (const Change& c : d.changes) {
            if (c.area != e.area || c.kind != DiffKind::Changed)
                continue;
            if (const FieldChange* f = field(c, e.field)) {
                EXPECT_EQ(f->before, e.before) << c.subject;
                EXPECT_EQ(f->after, e.after) << c.subject;
                found = true;
            }
        }
        EXPECT_TRUE(found) << fmt::format("{} changes, none of field {}", d.changes.size(),
                                          e.field);
    }
}

// Attack: SRK0 moved to BOOT_CFG1's index (6) with a value that closes the part. Before, the
// diff showed a removed and an added "SRK0: value 0x00000002, lock after-verify SRK_LOCK".
TEST(Diff, AMovedFuseIndexIsOneChangeNamingTheIndex) {
    const Package a = rich_package();
    Package b = a;
    b.manifest.fuses[0].index = 6;
    b.manifest.fuses[0].value = 2;
    const PackageDiff d = diff_packages(a, b);
    ASSERT_EQ(d.changes.size(), 1u);
    EXPECT_EQ(d.changes[0].kind, DiffKind::Changed);
    EXPECT_EQ(d.changes[0].subject, "SRK0");
    EXPECT_EQ(d.changes[0].fields, (std::vector<FieldChange>{{"index", "24", "6"},
                                                             {"value", "0x12345678", "0x00000002"}}));
    EXPECT_TRUE(d.srk_changed());
}

// A word listed twice is two items, not one that hides the other.
TEST(Diff, AFuseWordListedTwiceIsShownTwice) {
    const Package a = rich_package();
    Package b = a;
    b.manifest.fuses.push_back({"SRK0", 6, 2, LockPolicy::None, "", kWholeWord, ""});
    const PackageDiff d = diff_packages(a, b);
    ASSERT_EQ(d.changes.size(), 1u);
    EXPECT_EQ(d.changes[0].kind, DiffKind::Added);
    EXPECT_EQ(d.changes[0].fields, (std::vector<FieldChange>{{"index", "", "6"},
                                                             {"value", "", "0x00000002"},
                                                             {"lock", "", "none"}}));
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
