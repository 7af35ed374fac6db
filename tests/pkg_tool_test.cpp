// Black-box tests of `rtprov pkg diff` and `rtprov pkg migrate`.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {
namespace {

const std::filesystem::path kCorpus = kSource / "tests/data/pkg-corpus/1.0";

// Flips one data bit of the app's second S3 record (checksum fixed).
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
    write_text(srec_path, srec);
}

void export_to(const std::string& project, const std::filesystem::path& zip) {
    const auto r = rtprov("export-pkg -c " + project + " -o " + zip.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

nlohmann::json import_json(const std::filesystem::path& zip, const std::string& extra = "") {
    const auto r = rtprov("--json import-pkg " + zip.string() + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

TEST(PkgTool, DiffOfIdenticalPackagesIsEmpty) {
    TempDir t;
    const std::string project = (kSource / "examples/rt1020-evk/project.yaml").string();
    export_to(project, t / "a.zip");
    export_to(project, t / "b.zip");
    const std::string a = (t / "a.zip").string(), b = (t / "b.zip").string();
    const auto r = rtprov("pkg diff --exit-code " + a + " " + b);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, a + " -> " + b + ": no differences\n");
    const auto j = rtprov("pkg diff " + a + " " + b + " --json");
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["identical"], true);
    EXPECT_EQ(doc["srk_changed"], false);
    EXPECT_EQ(doc["changes"], nlohmann::json::array());
}

TEST(PkgTool, DiffAfterChangingTheAppListsTheImageAndFileHashes) {
    TempDir t;
    const std::string project = copy_example(t / "proj").string();
    export_to(project, t / "a.zip");
    edit_app(t / "proj/app/blinky.srec");
    export_to(project, t / "b.zip");
    const std::string a = (t / "a.zip").string(), b = (t / "b.zip").string();
    const auto ia = import_json(t / "a.zip");
    const auto ib = import_json(t / "b.zip");
    const std::string old_sha = ia["images"][0]["sha256"], new_sha = ib["images"][0]["sha256"];
    ASSERT_NE(old_sha, new_sha);

    const auto r = rtprov("pkg diff " + a + " " + b);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind(a + " -> " + b + ": 4 changes\nimages:\n  ~ flexspi-nor: sha256 " +
                              old_sha + " -> " + new_sha + "\nfiles:\n",
                          0),
              0u)
        << r.out;
    EXPECT_NE(r.out.find("  ~ images/flexspi-nor.bin: sha256 " + old_sha + " -> " + new_sha + "\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  ~ project/app/blinky.srec: sha256 "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("fuses:"), std::string::npos) << r.out;
    EXPECT_EQ(rtprov("pkg diff --exit-code " + a + " " + b).exit_code, 1);
    EXPECT_EQ(rtprov("pkg diff --exit-code " + a + " " + a).exit_code, 0);

    const auto j = rtprov("--json pkg diff " + a + " " + b);
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["identical"], false);
    EXPECT_EQ(doc["srk_changed"], false);
    ASSERT_EQ(doc["changes"].size(), 4u);
    EXPECT_EQ(
        doc["changes"][0],
        (nlohmann::json{{"area", "images"},
                        {"kind", "changed"},
                        {"subject", "flexspi-nor"},
                        {"fields", {{{"field", "sha256"}, {"old", old_sha}, {"new", new_sha}}}}}));
    std::vector<std::string> files;
    for (const auto& c : doc["changes"]) {
        EXPECT_TRUE(c["fields"].is_array());
        if (c["area"] == "files")
            files.push_back(c["subject"]);
    }
    EXPECT_EQ(files, (std::vector<std::string>{"README.txt", "images/flexspi-nor.bin",
                                               "project/app/blinky.srec"}));
}

TEST(PkgTool, DiffShowsAProjectFileEditAsLines) {
    TempDir t;
    const std::string project = copy_example(t / "proj").string();
    export_to(project, t / "a.zip");
    std::string yaml = read_text_file(project);
    yaml.replace(yaml.find("padding: true"), 13, "padding: false");
    write_text(project, yaml);
    export_to(project, t / "b.zip");
    const auto r = rtprov("pkg diff " + (t / "a.zip").string() + " " + (t / "b.zip").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("  ~ project/project.yaml: size "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n      -padding: true "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n      +padding: false "), std::string::npos) << r.out;
}

TEST(PkgTool, MigratesEveryCorpusPackage) {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
        if (entry.path().extension() != ".zip")
            continue;
        ++count;
        SCOPED_TRACE(entry.path().string());
        TempDir t;
        const auto migrated = t / "new.zip";
        const auto r = rtprov("pkg migrate " + entry.path().string() + " -o " + migrated.string());
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.out, fmt::format("migrated schema 1.0 -> 2.0: wrote {} ({} bytes)\n",
                                     migrated.string(), read_file(migrated).size()));

        const auto old_doc = import_json(entry.path(), " --to " + (t / "old").string());
        const auto new_doc = import_json(migrated, " --to " + (t / "new").string());
        EXPECT_EQ(old_doc["schema_version"], "2.0");  // migrated in memory
        EXPECT_EQ(old_doc["migrated_from"], "1.0");
        EXPECT_EQ(new_doc["schema_version"], "2.0");
        EXPECT_TRUE(new_doc["migrated_from"].is_null());
        EXPECT_EQ(new_doc["images"], old_doc["images"]);
        EXPECT_EQ(new_doc["fuses"], old_doc["fuses"]);
        EXPECT_EQ(new_doc["write_plan"], old_doc["write_plan"]);
        ASSERT_FALSE(new_doc["images"].empty());
        for (const auto& img : new_doc["images"]) {
            const std::string path = img["path"];
            EXPECT_EQ(read_file(t / "new" / path), read_file(t / "old" / path)) << path;
        }
        const std::string manifest = read_text_file(t / "new/manifest.json");
        EXPECT_EQ(manifest.rfind("{\n  \"schema_version\": \"2.0\",", 0), 0u) << manifest;

        // Again from the old one: the same bytes; from the result: already current, unchanged.
        ASSERT_EQ(
            rtprov("pkg migrate " + entry.path().string() + " -o " + (t / "again.zip").string())
                .exit_code,
            0);
        EXPECT_EQ(read_file(t / "again.zip"), read_file(migrated));
        const auto twice =
            rtprov("--json pkg migrate " + migrated.string() + " -o " + (t / "twice.zip").string());
        ASSERT_EQ(twice.exit_code, 0) << twice.err;
        EXPECT_EQ(read_file(t / "twice.zip"), read_file(migrated));
        const auto doc = nlohmann::json::parse(twice.out);
        EXPECT_EQ(doc["from"], "2.0");
        EXPECT_EQ(doc["to"], "2.0");
        EXPECT_EQ(doc["migrated"], false);
        const auto note =
            rtprov("pkg migrate " + migrated.string() + " -o " + (t / "3.zip").string());
        EXPECT_EQ(note.out.rfind("note: " + migrated.string() +
                                     " is already schema 2.0; rewritten with the same content\n",
                                 0),
                  0u)
            << note.out;

        // The diff of a package and its migration: the schema and the README only.
        const auto d = rtprov("--json pkg diff " + entry.path().string() + " " + migrated.string());
        ASSERT_EQ(d.exit_code, 0) << d.err;
        const auto diff = nlohmann::json::parse(d.out);
        ASSERT_EQ(diff["changes"].size(), 2u) << d.out;
        EXPECT_EQ(diff["changes"][0]["subject"], "README.txt");
        EXPECT_EQ(diff["changes"][1]["fields"][0],
                  (nlohmann::json{{"field", "schema_version"}, {"old", "1.0"}, {"new", "2.0"}}));
    }
    EXPECT_GE(count, 2u);
}

TEST(PkgTool, BadInputsFailNamingTheFile) {
    TempDir t;
    const std::string good = (kCorpus / "rt1020-flexspi-unsigned.zip").string();
    const std::string missing = (t / "missing.zip").string();
    write_text(t / "bad.zip", "not a zip");
    const std::string bad = (t / "bad.zip").string();

    auto r = rtprov("pkg diff " + good + " " + missing);
    EXPECT_EQ(r.exit_code, 2);
    // After the warning that `good` (rtprov 0.1.0's) has an old-format README.txt.
    EXPECT_NE(r.err.find("\nrtprov: error: " + missing + ": cannot open"), std::string::npos)
        << r.err;
    r = rtprov("pkg diff --exit-code " + bad + " " + good);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + bad + ": not a zip archive", 0), 0u) << r.err;

    const std::string out = (t / "out.zip").string();
    r = rtprov("pkg migrate " + missing + " -o " + out);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + missing + ": cannot open", 0), 0u) << r.err;
    r = rtprov("pkg migrate " + bad + " -o " + out);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("rtprov: error: " + bad + ": not a zip archive", 0), 0u) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));

    EXPECT_EQ(rtprov("pkg").exit_code, 1);
    EXPECT_EQ(rtprov("pkg diff " + good).exit_code, 1);
    EXPECT_EQ(rtprov("pkg migrate " + good).exit_code, 1);  // -o is required
}

}  // namespace
}  // namespace rtprov::test
