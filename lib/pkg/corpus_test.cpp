// Compatibility forever: every package in tests/data/pkg-corpus/<schema>/ was written by the
// rtprov release that introduced that schema (tests/data/pkg-corpus/README.md says how) and must
// keep importing, migrated to the current schema, with the same images and the write plan a
// fresh export makes.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/key_io.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

const std::filesystem::path kCorpus =
    std::filesystem::path(RTPROV_SOURCE_DIR) / "tests/data/pkg-corpus";

std::vector<std::filesystem::path> corpus_packages() {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(kCorpus))
        if (e.path().extension() == ".zip")
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(PackageCorpus, HoldsEverySchemaMajorThisRtprovReads) {
    for (unsigned major = kOldestSchemaMajor; major <= kSchemaMajor; ++major) {
        bool found = false;
        for (const auto& p : corpus_packages())
            found |= p.parent_path().filename().string().starts_with(fmt::format("{}.", major));
        EXPECT_TRUE(found) << "no package of schema " << major << ".x in " << kCorpus;
    }
}

TEST(PackageCorpus, EveryPackageImportsMigratedAndMatchesAFreshExport) {
    for (const auto& path : corpus_packages()) {
        SCOPED_TRACE(path.string());
        const std::string schema = path.parent_path().filename().string();
        // A signed package must verify against the signer's certificate kept beside it.
        const auto signer = path.parent_path() / "package_signer_crt.pem";
        TrustOptions trust;
        const bool is_signed = !read_zip(read_file(path), {}).empty() &&
                               read_zip(read_file(path), {}).at(1).name == "manifest.sig";
        if (is_signed)
            trust.trusted_keys.push_back(hab::load_public_key_der(signer));
        const Package p = verify_package(read_file(path), {}, RTPROV_VERSION, trust);
        EXPECT_EQ(p.signature_trusted, is_signed);
        EXPECT_EQ(p.manifest.schema, SchemaVersion{});
        // Older majors are migrated; an older minor of the current major is read as it is.
        if (!schema.starts_with(fmt::format("{}.", kSchemaMajor))) {
            ASSERT_TRUE(p.manifest.migrated_from);
            EXPECT_EQ(fmt::format("{}.{}", p.manifest.migrated_from->major,
                                  p.manifest.migrated_from->minor),
                      schema);
        }
        ASSERT_EQ(p.manifest.images.size(), 1u);
        EXPECT_EQ(p.manifest.images[0].address, 0x60000000u);
        EXPECT_EQ(p.manifest.write_plan.front().op, StepOp::LoadFlashloader);
        EXPECT_EQ(p.manifest.write_plan.back().op, StepOp::Reset);

        // The package carries its project: export it again with today's rtprov. Unsigned
        // projects rebuild to the same image and the same plan (signed ones need the private
        // keys, which are never packaged).
        if (p.manifest.images[0].is_signed)
            continue;
        test::TempDir t;
        extract_package(p, t / "pkg");
        ExportOptions o;
        o.project = t / "pkg/project/project.yaml";
        const ExportedPackage fresh = export_package(o);
        const Package again = verify_package(fresh.zip, {}, RTPROV_VERSION);
        EXPECT_EQ(again.files.at(again.manifest.images[0].file),
                  p.files.at(p.manifest.images[0].file));
        EXPECT_EQ(again.manifest.images, p.manifest.images);
        EXPECT_EQ(again.manifest.write_plan, p.manifest.write_plan);
    }
}

TEST(PackageCorpus, MigrateRewritesInTheCurrentSchemaDeterministically) {
    for (const auto& path : corpus_packages()) {
        SCOPED_TRACE(path.string());
        const Bytes old = read_file(path);
        const MigratedPackage m = migrate_package(old, {}, std::nullopt, RTPROV_VERSION);
        EXPECT_EQ(migrate_package(old, {}, std::nullopt, RTPROV_VERSION).zip, m.zip);
        const Package before = verify_package(old, {}, RTPROV_VERSION);
        const Package after = verify_package(m.zip, {}, RTPROV_VERSION);
        EXPECT_FALSE(after.manifest.migrated_from);
        EXPECT_EQ(after.manifest.images, before.manifest.images);
        EXPECT_EQ(after.manifest.write_plan, before.manifest.write_plan);
        EXPECT_EQ(after.manifest.fuses, before.manifest.fuses);
        for (const auto& [name, data] : before.files) {
            if (name != "README.txt") {
                EXPECT_EQ(after.files.at(name), data) << name;
            }
        }
    }
}

}  // namespace
}  // namespace rtprov::pkg
