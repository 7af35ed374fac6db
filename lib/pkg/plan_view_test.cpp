#include "rtprov/pkg/plan_view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "rtprov/pkg/package.hpp"

namespace rtprov::pkg {
namespace {

WriteStep step(StepOp op) {
    WriteStep s;
    s.op = op;
    return s;
}

WriteStep memory_step(StepOp op, std::uint32_t address, const std::string& file = "") {
    WriteStep s = step(op);
    s.memory_id = 9;
    s.address = address;
    s.file = file;
    return s;
}

// A signed RT1020 package's manifest as export-pkg writes it, with a serial number in flash
// and a MAC address in fuses before the fuse steps.
Manifest sample() {
    Manifest m;
    m.device = "mimxrt1020";
    m.writer = "rtprov test";
    m.files = {{"images/flexspi-nor.bin", std::string(64, 'a'), 20480, FileRole::Image},
               {"flashloader/flashloader.bin", std::string(64, 'b'), 1092, FileRole::Flashloader}};
    m.flashloaders = {{"flashloader/flashloader.bin", false, 0x20208C00, 0x20208C00}};
    for (std::uint32_t i = 0; i < 8; ++i) {
        m.fuses.push_back({fmt::format("SRK{}", i), 0x18 + i, 0x11111111 * (i + 1),
                           LockPolicy::AfterVerify, "SRK_LOCK", kWholeWord, ""});
    }
    m.write_plan.push_back(step(StepOp::LoadFlashloader));
    WriteStep config = step(StepOp::ConfigureMemory);
    config.memory_id = 9;
    config.fcb_file = "images/flexspi-nor.bin";
    m.write_plan.push_back(config);
    WriteStep erase = memory_step(StepOp::Erase, 0x60000000);
    erase.length = 20480;
    m.write_plan.push_back(erase);
    m.write_plan.push_back(memory_step(StepOp::Write, 0x60000000, "images/flexspi-nor.bin"));
    m.write_plan.push_back(memory_step(StepOp::Verify, 0x60000000, "images/flexspi-nor.bin"));
    WriteStep serial = step(StepOp::PerBoardData);
    serial.data = {
        "serial", BoardDataSource::Counter, 1000, "", BoardDataFormat::Le32, 4, 9, 0x60100000, {}};
    m.write_plan.push_back(serial);
    WriteStep mac = step(StepOp::PerBoardData);
    mac.data = {"mac", BoardDataSource::Csv, 0, "mac", BoardDataFormat::Hex, 6, 0,
                0,     {"MAC0", "MAC1"}};
    m.write_plan.push_back(mac);
    WriteStep program = step(StepOp::ProgramFuses);
    for (const auto& w : m.fuses)
        program.words.push_back(w.word);
    m.write_plan.push_back(program);
    WriteStep lock = step(StepOp::LockFuses);
    lock.field = "SRK_LOCK";
    m.write_plan.push_back(lock);
    m.write_plan.push_back(step(StepOp::Reset));
    return m;
}

TEST(PlanView, EveryStepRangeAndFuseWordComesFromTheWritePlan) {
    const Manifest m = sample();
    const PlanView v = describe_plan(m);
    ASSERT_EQ(v.steps.size(), m.write_plan.size());
    EXPECT_EQ(v.steps[2].text,
              "erase memory 0x9 (flexspi-nor) 0x60000000..0x60004FFF (20480 bytes), rounded out to "
              "whole sectors");
    EXPECT_EQ(v.steps[3].text,
              "write images/flexspi-nor.bin (20480 bytes, sha256 " + std::string(64, 'a') +
                  ") to memory 0x9 (flexspi-nor) 0x60000000..0x60004FFF (20480 bytes)");
    EXPECT_EQ(v.steps[6].text,
              "per-board-data mac: csv column mac, hex (6 bytes) into fuses MAC0, MAC1, assigned "
              "at write time (needs --burn-data-fuses)");

    ASSERT_EQ(v.ranges.size(), 4u);
    EXPECT_EQ(v.ranges[0], (PlannedRange{3, StepOp::Erase, 9, 0x60000000, 20480, ""}));
    EXPECT_EQ(v.ranges[1],
              (PlannedRange{4, StepOp::Write, 9, 0x60000000, 20480, "images/flexspi-nor.bin"}));
    EXPECT_EQ(v.ranges[3], (PlannedRange{6, StepOp::PerBoardData, 9, 0x60100000, 4, "serial"}));

    // The MAC words first (their step comes first), the SRK words with their fuses[] index and
    // value, closing (with --close) before the lock, the lock field's word last.
    std::vector<std::string> words;
    for (const PlannedFuse& f : v.fuses)
        words.push_back(f.word);
    EXPECT_EQ(words,
              (std::vector<std::string>{"MAC0", "MAC1", "SRK0", "SRK1", "SRK2", "SRK3", "SRK4",
                                        "SRK5", "SRK6", "SRK7", "BOOT_CFG1", "LOCK"}));
    EXPECT_EQ(v.fuses[0],
              (PlannedFuse{7, StepOp::PerBoardData, "MAC0", 0x22, std::nullopt,
                           PlannedValue::PerBoard, 0, "data mac", "--burn-data-fuses"}));
    EXPECT_EQ(v.fuses[2], (PlannedFuse{8, StepOp::ProgramFuses, "SRK0", 0x18, std::nullopt,
                                       PlannedValue::Word, 0x11111111, "srk", "--burn-srk"}));
    EXPECT_EQ(v.fuses[10].step, 0u);
    EXPECT_EQ(v.fuses[10].needs, "--close");
    EXPECT_EQ(v.fuses[10].value, 0x2u);
    EXPECT_EQ(v.fuses[10].index, 0x06u);
    EXPECT_EQ(v.fuses[11],
              (PlannedFuse{9, StepOp::LockFuses, "LOCK", 0x00, std::nullopt, PlannedValue::Bits,
                           1u << 14, "lock SRK_LOCK", "--burn-srk"}));
    EXPECT_TRUE(v.notes.empty()) << fmt::format("{}", fmt::join(v.notes, "\n"));
    EXPECT_EQ(describe_fuse(v.fuses[0]),
              "MAC0       OTP index 0x22  assigned at write time  step 7 per-board-data (data "
              "mac), needs --burn-data-fuses");
    EXPECT_EQ(describe_fuse(v.fuses[2]),
              "SRK0       OTP index 0x18  0x11111111              step 8 program-fuses (srk), "
              "needs --burn-srk");
}

TEST(PlanView, ShowsWhatAManifestSaysEvenWhereItDisagreesWithThePart) {
    Manifest m = sample();
    m.fuses[0].index = 6;  // BOOT_CFG1's index under SRK0's name
    m.write_plan[2].length = (std::uint64_t{1} << 32) + 4096;
    m.fuses.push_back({"GP1", 0x26, 1, LockPolicy::None, "", kWholeWord, ""});
    const PlanView v = describe_plan(m);
    EXPECT_EQ(v.steps[2].text,
              "erase memory 0x9 (flexspi-nor) 0x60000000..0x160000FFF (4294971392 bytes), "
              "rounded out to whole sectors");
    const PlannedFuse& srk0 = v.fuses[2];
    EXPECT_EQ(srk0.index, 6u);
    EXPECT_EQ(srk0.database_index, 0x18u);
    EXPECT_NE(describe_fuse(srk0).find("OTP index 0x06 "), std::string::npos);
    EXPECT_NE(describe_fuse(srk0).find("the device database has SRK0 at OTP index 0x18"),
              std::string::npos);
    EXPECT_EQ(v.notes, (std::vector<std::string>{"fuses[] lists GP1 (OTP index 0x26, "
                                                 "0x00000001), which no program-fuses step "
                                                 "burns"}));
}

TEST(PlanView, TextAndJsonCarryTheSameDescription) {
    const PlanView v = describe_plan(sample());
    const std::vector<std::string> lines = plan_lines(v);
    const nlohmann::json j = plan_json(v);
    ASSERT_EQ(j["steps"].size(), v.steps.size());
    for (std::size_t i = 0; i < v.steps.size(); ++i) {
        EXPECT_EQ(j["steps"][i]["text"], v.steps[i].text);
        EXPECT_NE(std::find(lines.begin(), lines.end(),
                            fmt::format("  {:>2}. {}", i + 1, v.steps[i].text)),
                  lines.end());
    }
    ASSERT_EQ(j["fuse_words"].size(), v.fuses.size());
    EXPECT_EQ(j["fuse_words"][0]["word"], "MAC0");
    EXPECT_EQ(j["fuse_words"][0]["index"], 0x22);
    EXPECT_EQ(j["fuse_words"][0]["value"], nullptr);
    EXPECT_EQ(j["fuse_words"][0]["assigned_at_write_time"], true);
    EXPECT_EQ(j["fuse_words"][10]["op"], "close");
    EXPECT_EQ(j["memory_ranges"][0], (nlohmann::json{{"step", 3},
                                                     {"op", "erase"},
                                                     {"memory_id", 9},
                                                     {"memory", "flexspi-nor"},
                                                     {"start", "0x60000000"},
                                                     {"end", "0x60004fff"},
                                                     {"length", 20480},
                                                     {"file", nullptr},
                                                     {"text", describe_range(v.ranges[0])}}));
    for (const PlannedFuse& f : v.fuses)
        EXPECT_NE(std::find(lines.begin(), lines.end(), "  " + describe_fuse(f)), lines.end());
}

TEST(PlanView, APlanWithoutFusesSaysSo) {
    Manifest m = sample();
    m.fuses.clear();
    m.write_plan.erase(m.write_plan.begin() + 5, m.write_plan.end() - 1);
    const auto lines = plan_lines(describe_plan(m));
    EXPECT_NE(std::find(lines.begin(), lines.end(), "  none: the part's fuses stay as they are"),
              lines.end());
}

}  // namespace
}  // namespace rtprov::pkg
