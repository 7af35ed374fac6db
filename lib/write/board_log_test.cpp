#include "rtprov/write/board_log.hpp"

#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::write {
namespace {

std::vector<std::filesystem::path> records(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

nlohmann::json load(const std::filesystem::path& p) {
    return nlohmann::json::parse(read_text_file(p));
}

Event event(EventKind kind, const BoardResult& r, std::string op = "") {
    Event e;
    e.kind = kind;
    e.board = r.board;
    e.op = std::move(op);
    e.result = &r;
    return e;
}

TEST(BoardLog, KeepsOneCompleteRecordPerBoardAndAttempt) {
    rtprov::test::TempDir t;
    std::vector<EventKind> passed_on;
    BoardLog log(t / "log", [&](const Event& e) { passed_on.push_back(e.kind); });
    BoardResult a;
    a.board = "uart:/dev/pts/3,115200";
    a.package_sha256 = "ab";
    BoardResult b = a;
    b.board = "sim:auto#2";
    log(event(EventKind::Start, a));
    log(event(EventKind::Start, b));
    log(event(EventKind::StepStart, a, "write"));
    a.uid = "0011223344556677";
    log(event(EventKind::Progress, a, "write"));
    auto files = records(t / "log");
    ASSERT_EQ(files.size(), 2u);
    // Until the end, a record says which step the board was in: what a killed run leaves.
    const auto running = load(files[files[0].string().find("uart") != std::string::npos ? 0 : 1]);
    EXPECT_EQ(running["outcome"], "running");
    EXPECT_EQ(running["record"]["last_step"], "write");
    EXPECT_EQ(running["record"]["pid"], ::getpid());
    EXPECT_TRUE(running["uid"].is_null());  // progress events are not saved
    a.outcome = Outcome::Passed;
    log(event(EventKind::Result, a));
    files = records(t / "log");
    ASSERT_EQ(files.size(), 2u);
    bool found = false;
    for (const auto& f : files) {
        EXPECT_FALSE(f.filename().string().starts_with("."));  // no temporary file left
        const auto doc = load(f);
        if (doc["board"] == a.board) {
            found = true;
            EXPECT_EQ(doc["outcome"], "passed");
            EXPECT_EQ(doc["uid"], "0011223344556677");
        }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(passed_on.size(), 5u);
    // A second attempt on the same board gets its own record.
    log(event(EventKind::Start, a));
    EXPECT_EQ(records(t / "log").size(), 3u);
}

TEST(BoardLog, FindsAnInterruptedAttemptOfTheSameBoardAndPackage) {
    rtprov::test::TempDir t;
    const auto record = [&](const std::string& name, const std::string& uid,
                            const std::string& outcome, long pid) {
        nlohmann::json doc = {{"uid", uid},
                              {"package_sha256", "ab"},
                              {"outcome", outcome},
                              {"record", {{"pid", pid}, {"host", "another-station"}}}};
        rtprov::test::write_text(t / name, doc.dump());
    };
    EXPECT_FALSE(interrupted_attempt(t / "missing", "u1", "ab"));
    record("1.json", "u1", "running", 12345);
    EXPECT_TRUE(interrupted_attempt(t.path(), "u1", "ab"));
    EXPECT_FALSE(interrupted_attempt(t.path(), "u2", "ab"));
    EXPECT_FALSE(interrupted_attempt(t.path(), "u1", "cd"));
    // A later attempt that passed: nothing to resume.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    record("2.json", "u1", "passed", 12346);
    EXPECT_FALSE(interrupted_attempt(t.path(), "u1", "ab"));
}

}  // namespace
}  // namespace rtprov::write
