#include "rtprov/write/events_json.hpp"

#include <gtest/gtest.h>

namespace rtprov::write {
namespace {

TEST(EventsJson, ProgressIsOneFlatObjectWithRoundedNumbers) {
    Event e;
    e.kind = EventKind::Progress;
    e.board = "uart:/dev/ttyUSB0,115200";
    e.time = 1.23456;
    e.step = 4;
    e.op = "write";
    e.done = 1024;
    e.total = 8316;
    e.rate = 10727.4;
    e.eta = 0.68;
    EXPECT_EQ(event_json(e).dump(),
              R"({"board":"uart:/dev/ttyUSB0,115200","done":1024,"eta":0.7,"event":"progress",)"
              R"("op":"write","rate":10727.0,"step":4,"time":1.235,"total":8316})");
}

TEST(EventsJson, ResultCarriesTheRecordAndTheError) {
    BoardResult r;
    r.board = "sim:auto#1";
    r.outcome = Outcome::Failed;
    r.uid = "0011223344556677";
    r.fuses.push_back({"SRK0", 0x18, 0, 0x12345678, "srk", FuseStatus::Failed, 0x12340000,
                       0xFFFFFFFF, ""});
    r.steps.push_back({6, "program-fuses", "failed", 0.0104, "SRK0 ..."});
    r.error_code = ErrorCode::Verification;
    r.error = "program-fuses: SRK0 ...";
    r.error_step = "program-fuses";
    Event e;
    e.kind = EventKind::Result;
    e.board = r.board;
    e.result = &r;
    const auto j = event_json(e);
    EXPECT_EQ(j["event"], "result");
    EXPECT_EQ(j["outcome"], "failed");
    EXPECT_EQ(j["hab"], nullptr);
    EXPECT_EQ(j["fuses"][0].dump(),
              R"({"current":"0x00000000","index":24,"new":"0x12345678","purpose":"srk",)"
              R"("read_back":"0x12340000","status":"failed","word":"SRK0"})");
    EXPECT_EQ(j["steps"][0]["seconds"], 0.01);
    EXPECT_EQ(j["error"].dump(),
              R"({"code":"verification","exit_code":4,"message":"program-fuses: SRK0 ...",)"
              R"("step":"program-fuses"})");
}

}  // namespace
}  // namespace rtprov::write
