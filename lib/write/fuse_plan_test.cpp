#include "rtprov/write/fuse_plan.hpp"

#include <map>

#include <gtest/gtest.h>

#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

// A board's fuses as a map (index -> value); unlisted words read 0.
struct Board {
    std::map<std::uint32_t, std::uint32_t> words;
    FuseReader reader() {
        return [this](std::uint32_t index) {
            reads.push_back(index);
            return words.count(index) ? words[index] : 0u;
        };
    }
    std::vector<std::uint32_t> reads;
};

Job srk_job(const WriteOptions& o = {}) {
    test::PackageSpec spec;
    spec.srk_hash = hab::SrkHash{0x11, 0x22, 0x33, 0x44, 0x55};
    WriteOptions no_close = o;
    no_close.close = false;  // make_job's --close checks need a signed image: not this test's
    no_close.allow_unsigned_fuses = true;
    return test::make_test_job(spec, no_close);
}

TEST(FusePlan, ShowsEveryWordWithItsCurrentAndNewValue) {
    WriteOptions o;
    o.burn_srk = true;
    const Job job = srk_job();
    Board b;
    b.words[0x18] = 0x44332211;  // SRK0 already burned
    const auto rows = plan_fuses(job, o, b.reader());
    ASSERT_EQ(rows.size(), 9u);
    EXPECT_EQ(describe_row(rows[0]), "SRK0 0x44332211 -> 0x44332211 (unchanged)");
    EXPECT_EQ(describe_row(rows[1]), "SRK1 0x00000000 -> 0x00000055 (planned)");
    EXPECT_EQ(describe_row(rows[2]), "SRK2 0x00000000 -> 0x00000000 (unchanged)");
    EXPECT_EQ(describe_row(rows[8]), "LOCK 0x00000000 -> 0x00004000 (planned)");
    EXPECT_EQ(rows[8].purpose, "lock SRK_LOCK");
    EXPECT_FALSE(fuse_refusal(rows, job, o));
    // Each word is read once.
    std::sort(b.reads.begin(), b.reads.end());
    EXPECT_EQ(std::adjacent_find(b.reads.begin(), b.reads.end()), b.reads.end());
}

TEST(FusePlan, WithoutBurnSrkChangesAreSkipped) {
    const Job job = srk_job();
    Board b;
    const auto rows = plan_fuses(job, {}, b.reader());
    EXPECT_EQ(rows[0].status, FuseStatus::Skipped);
    EXPECT_EQ(rows[2].status, FuseStatus::Unchanged);  // 0 -> 0
    EXPECT_EQ(rows[8].status, FuseStatus::Skipped);
    EXPECT_FALSE(fuse_refusal(rows, job, {}));
}

TEST(FusePlan, ABitTheNewValueLacksIsRefused) {
    WriteOptions o;
    o.burn_srk = true;
    const Job job = srk_job();
    Board b;
    b.words[0x18] = 0x80000000;
    const auto rows = plan_fuses(job, o, b.reader());
    EXPECT_EQ(rows[0].status, FuseStatus::Conflict);
    EXPECT_EQ(fuse_refusal(rows, job, o),
              "SRK0 (index 0x18) holds 0x80000000, which has bits 0x44332211 lacks: refusing to "
              "burn any fuse");
}

TEST(FusePlan, ALockedWordThatDiffersIsRefused) {
    WriteOptions o;
    o.burn_srk = true;
    const Job job = srk_job();
    Board b;
    b.words[0x00] = 1u << 14;  // SRK_LOCK set with blank SRK words
    const auto rows = plan_fuses(job, o, b.reader());
    EXPECT_EQ(rows[8].status, FuseStatus::Unchanged);
    EXPECT_EQ(fuse_refusal(rows, job, o),
              "SRK0 (index 0x18) is write-locked and holds 0x00000000, not 0x44332211: refusing "
              "to burn any fuse");
}

TEST(FusePlan, ClosingAddsSecConfigBeforeTheLocks) {
    WriteOptions o;
    o.burn_srk = true;
    o.close = true;
    const Job job = srk_job();
    Board b;
    b.words[0x06] = 0x10;  // BOOT_CFG1: BT_FUSE_SEL already set
    const auto rows = plan_fuses(job, o, b.reader());
    ASSERT_EQ(rows.size(), 10u);
    EXPECT_EQ(describe_row(rows[8]), "BOOT_CFG1 0x00000010 -> 0x00000012 (planned)");
    EXPECT_EQ(rows[8].purpose, "close");
    EXPECT_EQ(rows[9].word, "LOCK");
    EXPECT_FALSE(fuse_refusal(rows, job, o));

    b.words[0x00] = 1u << 2;  // BOOT_CFG_LOCK
    const auto locked = plan_fuses(job, o, b.reader());
    EXPECT_EQ(fuse_refusal(locked, job, o),
              "BOOT_CFG1 is locked (BOOT_CFG_LOCK): the part cannot be closed");
}

}  // namespace
}  // namespace rtprov::write
