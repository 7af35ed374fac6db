#include "rtprov/pkg/package.hpp"

#include <functional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/pki.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

const std::filesystem::path kExample =
    std::filesystem::path(RTPROV_SOURCE_DIR) / "examples/rt1020-evk";

// The RT1020-EVK example copied into `dir` (project.yaml + app/blinky.srec).
std::filesystem::path copy_example(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir / "app");
    std::filesystem::copy_file(kExample / "project.yaml", dir / "project.yaml");
    std::filesystem::copy_file(kExample / "app/blinky.srec", dir / "app/blinky.srec");
    return dir / "project.yaml";
}

ExportOptions options_for(const std::filesystem::path& project) {
    ExportOptions o;
    o.project = project;
    return o;
}

std::string verify_error(const Bytes& zip) {
    try {
        verify_package(zip, {}, "0.1.0");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

// The entries of an exported package, changed by `edit`, zipped again.
Bytes tampered(const Bytes& zip, const std::function<void(std::vector<ZipEntry>&)>& edit) {
    std::vector<ZipEntry> entries = read_zip(zip, {});
    edit(entries);
    return write_zip(entries, {});
}

TEST(Package, ExportIsByteIdenticalAcrossFoldersAndRuns) {
    test::TempDir a, b;
    const Bytes first = export_package(options_for(copy_example(a / "one"))).zip;
    const Bytes second = export_package(options_for(copy_example(b / "elsewhere/two"))).zip;
    EXPECT_EQ(first, second);
    ExportOptions dated = options_for(a / "one/project.yaml");
    dated.source_date_epoch = 1700000000;
    EXPECT_NE(export_package(dated).zip, first);
    EXPECT_EQ(export_package(dated).zip, export_package(dated).zip);
}

TEST(Package, ImportGivesTheBuiltImageByteForByte) {
    test::TempDir t;
    const auto project = copy_example(t.path());
    const ExportedPackage exported = export_package(options_for(project));
    const Package p = verify_package(exported.zip, {}, "0.1.0");
    EXPECT_EQ(p.manifest, exported.manifest);
    EXPECT_TRUE(p.warnings.empty());
    const auto images = package_images(p.manifest);
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0]->path, "images/flexspi-nor.bin");
    const Bytes fresh =
        project::build_outputs(project::load_project(project), std::nullopt, "x").data;
    EXPECT_EQ(p.files.at("images/flexspi-nor.bin"), fresh);
    EXPECT_EQ(p.files.at("project/project.yaml"), read_file(project));
    EXPECT_EQ(p.files.at("project/app/blinky.srec"), read_file(t / "app/blinky.srec"));
    EXPECT_TRUE(p.manifest.fuses.empty());
    EXPECT_TRUE(p.manifest.required.empty());

    extract_package(p, t / "out");
    EXPECT_EQ(read_file(t / "out/images/flexspi-nor.bin"), fresh);
    EXPECT_EQ(read_text_file(t / "out/manifest.json"), p.manifest_text);
    try {
        extract_package(p, t / "out");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.what(), (t / "out").string() + ": already exists; give a new folder");
    }
    // Nothing beside the target: the temporary folder was renamed, not copied.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(t.path()))
        ++entries;
    EXPECT_EQ(entries, 3u);  // project.yaml, app/, out/
}

TEST(Package, ExportRebuildsFromAnInputEditedAfterABuild) {
    test::TempDir t;
    const auto project = copy_example(t.path());
    const Bytes before = export_package(options_for(project)).zip;
    // Change one data byte of the app (the second S3 record, checksum fixed).
    std::string srec = read_text_file(t / "app/blinky.srec");
    const auto line = srec.find("\nS3", srec.find("\nS3") + 1) + 1;
    const auto end = srec.find_first_of("\r\n", line);
    std::string rec = srec.substr(line, end - line);
    rec[12] = rec[12] == '0' ? '1' : '0';
    unsigned long sum = 0;
    for (std::size_t i = 2; i + 2 < rec.size(); i += 2)
        sum += std::stoul(rec.substr(i, 2), nullptr, 16);
    rec.replace(rec.size() - 2, 2, fmt::format("{:02X}", ~sum & 0xFF));
    srec.replace(line, end - line, rec);
    write_file_atomic(t / "app/blinky.srec", srec);

    const Package p = verify_package(export_package(options_for(project)).zip, {}, "0.1.0");
    const Bytes fresh =
        project::build_outputs(project::load_project(project), std::nullopt, "x").data;
    const Package old = verify_package(before, {}, "0.1.0");
    EXPECT_NE(old.files.at("images/flexspi-nor.bin"), fresh);
    EXPECT_EQ(p.files.at("images/flexspi-nor.bin"), fresh);
    EXPECT_EQ(p.files.at("project/app/blinky.srec"), read_file(t / "app/blinky.srec"));
}

TEST(Package, SignedExportCarriesTheSrkFusePlanAndNoPrivateKeys) {
    hab::PkiOptions o;
    o.srk_count = 1;
    o.rng_seed = "package_test";
    const hab::GeneratedPki pki = hab::generate_pki(o);
    test::TempDir t;
    const auto project = copy_example(t.path());
    hab::write_pki(pki, t / "pki");
    std::string yaml = read_text_file(project);
    yaml +=
        "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
        "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
        "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
        "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
        "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
        "  signature_time: 2024-01-31T12:00:00Z\n";
    test::write_text(project, yaml);
    const ExportedPackage e = export_package(options_for(project));
    EXPECT_EQ(export_package(options_for(project)).zip, e.zip);
    const Package p = verify_package(e.zip, {}, "0.1.0");
    const hab::SrkFuseWords words = hab::srk_fuse_words(pki.fuse_hash);
    ASSERT_EQ(p.manifest.fuses.size(), 8u);
    for (std::size_t i = 0; i < 8; ++i) {
        EXPECT_EQ(p.manifest.fuses[i].word, fmt::format("SRK{}", i));
        EXPECT_EQ(p.manifest.fuses[i].index, 0x18 + i);
        EXPECT_EQ(p.manifest.fuses[i].value, words[i]);
        EXPECT_EQ(p.manifest.fuses[i].lock, LockPolicy::AfterVerify);
        EXPECT_EQ(p.manifest.fuses[i].lock_field, "SRK_LOCK");
    }
    EXPECT_EQ(p.files.at("fuses/srk_hash.bin"), Bytes(pki.fuse_hash.begin(), pki.fuse_hash.end()));
    ASSERT_EQ(p.manifest.required.size(), 2u);
    EXPECT_EQ(p.manifest.required[0].name, "hab-signed");
    EXPECT_EQ(p.manifest.required[1].name, "fuse-srk");
    EXPECT_TRUE(package_images(p.manifest)[0]->is_signed);
    for (const auto& [name, data] : p.files) {
        EXPECT_EQ(name.find("key"), std::string::npos) << name;
        const std::string text(data.begin(), data.end());
        EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos) << name;
    }
    EXPECT_EQ(p.files.count("project/pki/srk/SRK_table.bin"), 1u);
    EXPECT_EQ(p.files.count("project/pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem"), 1u);
}

TEST(Package, ImportRefusesTamperedMissingAndExtraFiles) {
    test::TempDir t;
    const Bytes zip = export_package(options_for(copy_example(t.path()))).zip;
    EXPECT_EQ(verify_error(tampered(zip,
                                    [](auto& es) {
                                        for (auto& e : es)
                                            if (e.name == "images/flexspi-nor.bin")
                                                e.data[0x2000] ^= 1;
                                    }))
                  .substr(0, 39),
              "file 'images/flexspi-nor.bin': SHA-256 ");
    EXPECT_EQ(verify_error(tampered(zip,
                                    [](auto& es) {
                                        for (auto& e : es)
                                            if (e.name == "README.txt")
                                                e.data.push_back('!');
                                    })),
              "file 'README.txt': 700 bytes, the manifest says 699");
    EXPECT_EQ(verify_error(tampered(zip, [](auto& es) { es.erase(es.begin() + 1); })),
              "file 'README.txt' is in the manifest but not in the package");
    EXPECT_EQ(verify_error(tampered(zip,
                                    [](auto& es) {
                                        es.push_back({"run.sh", {'x'}});
                                    })),
              "file 'run.sh' is in the package but not in the manifest");
    EXPECT_EQ(verify_error(tampered(zip, [](auto& es) { es.erase(es.begin()); })),
              "no manifest.json in the package");
}

}  // namespace
}  // namespace rtprov::pkg
