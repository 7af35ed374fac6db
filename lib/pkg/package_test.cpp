#include "rtprov/pkg/package.hpp"

#include <functional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/boot/image.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

using test::copy_example;

const std::filesystem::path kExample =
    std::filesystem::path(RTPROV_SOURCE_DIR) / "examples/rt1020-evk";

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

// A bee: project whose protected range covers the IVT is refused by name: a package is checked
// without its key (the export once failed later with "no IVT found" in the encrypted image).
// BEE projects that package are in export_bee_test.cpp.
TEST(Package, ExportRefusesABeeRangeOverTheIvt) {
    test::TempDir t;
    const std::filesystem::path project = copy_example(t / "bee");
    std::string yaml = read_text_file(project);
    yaml +=
        "bee:\n  regions:\n    - key_file: sw_gp2.bin\n"
        "      protect:\n        - {start: 0x60001000, length: 0x2000}\n";
    write_file_atomic(project, yaml);
    write_file_atomic(project.parent_path() / "sw_gp2.bin", Bytes(16, 0x5A));
    try {
        (void)export_package(options_for(project));
        ADD_FAILURE() << "a bee: project was packaged";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_NE(std::string(e.what()).find("bee: user-key: the protected range "
                                             "0x60001000+0x2000 covers the image's IVT"),
                  std::string::npos)
            << e.what();
    }
}

// A key written in the project file would be packaged with it: refused, naming the field and
// the way out (the key files stay out of the package).
TEST(Package, ExportRefusesABeeKeyWrittenInTheProjectFile) {
    for (const std::string field : {"key", "kib_key"}) {
        SCOPED_TRACE(field);
        test::TempDir t;
        const std::filesystem::path project = copy_example(t / "bee");
        std::string yaml = read_text_file(project);
        yaml += "bee:\n  regions:\n    - " +
                std::string(field == "key" ? "key: 0123456789abcdeffedcba9876543210\n"
                                           : "key_file: k.bin\n      kib_key: "
                                             "00112233445566778899aabbccddeeff\n") +
                "      protect:\n        - {start: 0x60003000, length: 0x1000}\n";
        write_file_atomic(project, yaml);
        write_file_atomic(project.parent_path() / "k.bin", Bytes(16, 0x5A));
        try {
            (void)export_package(options_for(project));
            ADD_FAILURE() << "packaged";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Usage);
            EXPECT_NE(std::string(e.what()).find(fmt::format(
                          "bee: regions[0].{} is written in the project file, and the project "
                          "file goes into the package: the key would be in it in the clear; put "
                          "the 16 bytes in a file and name it with {}_file",
                          field, field)),
                      std::string::npos)
                << e.what();
        }
    }
}

// An input whose name cannot be a zip entry (a backslash is legal in a Linux file name) is named
// as bad input; export once looped forever looking for a package name for it.
TEST(Package, ExportRefusesAnInputNameThatCannotBeAZipEntry) {
    test::TempDir t;
    const std::filesystem::path project = copy_example(t / "p");
    std::filesystem::rename(t / "p/app/blinky.srec", t / "p/app/blinky\\1.srec");
    std::string yaml = read_text_file(project);
    const auto at = yaml.find("app/blinky.srec");
    ASSERT_NE(at, std::string::npos);
    write_file_atomic(project, yaml.replace(at, 15, "'app/blinky\\1.srec'"));
    try {
        (void)export_package(options_for(project));
        ADD_FAILURE() << "exported";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput);
        EXPECT_NE(std::string(e.what()).find("blinky\\1.srec: this file name cannot go into a "
                                             "package (backslash in path)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Package, ImportGivesTheBuiltImageByteForByte) {
    test::TempDir t;
    const auto project = copy_example(t.path());
    const ExportedPackage exported = export_package(options_for(project));
    const Package p = verify_package(exported.zip, {}, "0.1.0");
    EXPECT_EQ(p.manifest, exported.manifest);
    EXPECT_TRUE(p.warnings.empty());
    ASSERT_EQ(p.manifest.images.size(), 1u);
    const ImageEntry& image = p.manifest.images[0];
    EXPECT_EQ(image.file, "images/flexspi-nor.bin");
    EXPECT_EQ(image.boot_device, "flexspi-nor");
    EXPECT_EQ(image.memory_id, 9u);
    EXPECT_EQ(image.address, 0x60000000u);  // the RT1020's FlexSPI window: FCB at offset 0
    EXPECT_FALSE(image.is_signed);
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
    EXPECT_TRUE(p.manifest.images[0].is_signed);
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
    const std::size_t readme_size = verify_package(zip, {}, "0.1.0").files.at("README.txt").size();
    EXPECT_EQ(verify_error(tampered(zip,
                                    [](auto& es) {
                                        for (auto& e : es)
                                            if (e.name == "README.txt")
                                                e.data.push_back('!');
                                    })),
              fmt::format("file 'README.txt': {} bytes, the manifest says {}", readme_size + 1,
                          readme_size));
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

namespace rtprov::pkg {
namespace {

// Every boot device the RT1020 boots from, unsigned and signed: the package holds exactly the
// image `build_outputs` makes, placed where the boot layout says (file byte 0 at boot-device
// offset IVT offset - IVT file offset) and with a write plan for it.
TEST(Package, RoundTripOfEveryBootDeviceSignedAndUnsigned) {
    test::TempDir t;
    hab::PkiOptions o;
    o.srk_count = 1;
    o.rng_seed = "package_round_trip";
    hab::write_pki(hab::generate_pki(o), t / "pki");
    std::filesystem::copy_file(kExample / "app/blinky.srec", t / "blinky.srec");
    // A RAM app for the boot devices that copy the image to RAM.
    std::filesystem::copy_file(
        std::filesystem::path(RTPROV_SOURCE_DIR) / "examples/sim-flashloader/standin.srec",
        t / "ram_app.srec");
    const device::Device& dev = device::find_device("mimxrt1020");
    int cases = 0;
    for (const device::BootLayout& layout : dev.boot_layouts) {
        const std::string bd(device::boot_device_name(layout.device));
        for (const bool with_hab : {false, true}) {
            SCOPED_TRACE(bd + (with_hab ? " signed" : " unsigned"));
            const bool xip = layout.device == device::BootDevice::FlexspiNor;
            std::string yaml = fmt::format("device: mimxrt1020\nboot_device: {}\napp: {}\n", bd,
                                           xip ? "blinky.srec" : "ram_app.srec");
            if (layout.has_fcb)
                yaml += "fcb: rt1020-evk\n";
            if (with_hab) {
                yaml +=
                    "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
                    "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                    "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                    "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                    "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                    "  signature_time: 2024-01-31T12:00:00Z\n";
            }
            test::write_text(t / "project.yaml", yaml);
            ExportOptions eo;
            eo.project = t / "project.yaml";
            const ExportedPackage e = export_package(eo);
            const Package p = verify_package(e.zip, {}, RTPROV_VERSION);
            const Bytes built =
                project::build_outputs(project::load_project(t / "project.yaml"), std::nullopt, "x")
                    .data;
            ASSERT_EQ(p.manifest.images.size(), 1u);
            const ImageEntry& img = p.manifest.images[0];
            EXPECT_EQ(p.files.at(img.file), built);
            EXPECT_EQ(img.boot_device, bd);
            EXPECT_EQ(img.is_signed, with_hab);
            EXPECT_EQ(p.manifest.fuses.size(), with_hab ? 8u : 0u);
            const boot::ParsedImage parsed = boot::parse_boot_image(built, "x");
            const std::uint32_t offset = layout.ivt_offset - parsed.ivt_file_offset;
            if (layout.device == device::BootDevice::SerialDownloader) {
                EXPECT_EQ(img.memory_id, 0u);  // RAM: nothing to write
            } else if (xip) {
                EXPECT_EQ(img.address, 0x60000000u + offset);
            } else if (layout.device == device::BootDevice::SemcNor) {
                EXPECT_EQ(img.address, 0x90000000u + offset);
            } else {
                EXPECT_EQ(img.address, offset);
            }
            const bool writes = img.memory_id != 0;
            EXPECT_EQ(std::count_if(p.manifest.write_plan.begin(), p.manifest.write_plan.end(),
                                    [](const WriteStep& s) { return s.op == StepOp::Write; }),
                      writes ? 1 : 0);
            ++cases;
        }
    }
    EXPECT_EQ(cases, 16);
}

}  // namespace
}  // namespace rtprov::pkg
