#include "rtprov/write/runner.hpp"

#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "rtprov/sim/image_check.hpp"
#include "rtprov/write/ports.hpp"
#include "rtprov/write/sim_port.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using namespace std::chrono_literals;
using test::SimBoard;

Port sim_port(const SimulatedPart& part, const std::string& name) {
    const std::string uri = part.uri();
    return {name, [uri] { return transport::open_transport(uri); }};
}

// Four boards at once, one with a flash that fails every program: the other three pass, the
// faulty one says what happened, events arrive whole (serialized) and tagged with their board.
TEST(Runner, OneFailingBoardDoesNotStopTheOthers) {
    const Job job = test::make_test_job({});
    SimulatedPart a(test::rt1020()), b(test::rt1020()), d(test::rt1020());
    SimBoard faulty(true, "program-fail=1");
    faulty.start();
    const std::vector<Port> ports{sim_port(a, "a"), sim_port(b, "b"), faulty.port("faulty"),
                                  sim_port(d, "d")};
    WriteOptions o;
    o.backoff = 1ms;
    std::map<std::string, std::size_t> results_per_board;
    std::atomic<int> inside{0};
    bool overlapped = false;
    const auto results = write_boards(job, o, ports, [&](const Event& e) {
        overlapped = overlapped || inside.fetch_add(1) != 0;
        if (e.kind == EventKind::Result)
            ++results_per_board[e.board];
        inside.fetch_sub(1);
    });
    EXPECT_FALSE(overlapped);
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(results[0].outcome, Outcome::Passed) << results[0].error;
    EXPECT_EQ(results[1].outcome, Outcome::Passed) << results[1].error;
    EXPECT_EQ(results[2].outcome, Outcome::Failed);
    EXPECT_EQ(results[2].board, "faulty");
    EXPECT_EQ(results[2].error_step, "write");
    EXPECT_EQ(results[3].outcome, Outcome::Passed) << results[3].error;
    EXPECT_EQ(results_per_board,
              (std::map<std::string, std::size_t>{{"a", 1}, {"b", 1}, {"d", 1}, {"faulty", 1}}));
    EXPECT_EQ(exit_code_of(results), 3);
    for (SimulatedPart* p : {&a, &b, &d}) {
        const auto i = p->stop_and_inspect();
        EXPECT_TRUE(i.boot.ok) << i.boot.reason;
    }
}

// Watch mode: boards that appear are written once each; a board that stays is not written again.
TEST(Runner, WatchModeWritesEachBoardThatAppearsOnce) {
    const Job job = test::make_test_job({});
    std::mutex m;
    std::vector<std::string> plugged;  // URIs present now
    std::vector<std::unique_ptr<SimulatedPart>> parts;
    WatchSource source;
    source.candidates = [&] {
        std::lock_guard lock(m);
        return plugged;
    };
    source.identity = [](const std::string& uri) { return port_identity(uri); };
    source.make_port = [](const std::string& uri) {
        return Port{uri, [uri] { return transport::open_transport(uri); }};
    };
    source.poll = 20ms;
    std::atomic<bool> stop{false};
    std::atomic<int> done{0};
    std::vector<BoardResult> results;
    std::thread watcher([&] {
        results = watch_boards(
            job, {}, source,
            [&](const Event& e) {
                if (e.kind == EventKind::Result)
                    ++done;
            },
            stop);
    });
    const auto plug = [&] {
        parts.push_back(std::make_unique<SimulatedPart>(test::rt1020()));
        std::lock_guard lock(m);
        plugged.push_back(parts.back()->uri());
    };
    const auto wait_for = [&](int n) {
        for (int i = 0; i < 500 && done < n; ++i)
            std::this_thread::sleep_for(20ms);
    };
    plug();
    wait_for(1);
    plug();
    wait_for(2);
    std::this_thread::sleep_for(100ms);  // a few more polls: nobody is written twice
    stop = true;
    watcher.join();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].board, parts[0]->uri());
    EXPECT_EQ(results[1].board, parts[1]->uri());
    for (const auto& r : results)
        EXPECT_EQ(r.outcome, Outcome::Passed) << r.error;
}

TEST(Ports, ReadsPortListsAndAddsTheDefaultBaud) {
    rtprov::test::TempDir t;
    rtprov::test::write_text(t / "ports.txt",
                             "# line 3\nuart:/dev/ttyUSB0\n\n  sim:/tmp/x.sock  \n");
    EXPECT_EQ(read_port_list(t / "ports.txt", false),
              (std::vector<std::string>{"uart:/dev/ttyUSB0", "sim:/tmp/x.sock"}));
    EXPECT_TRUE(read_port_list(t / "none.txt", true).empty());
    EXPECT_THROW(read_port_list(t / "none.txt", false), Error);
    EXPECT_EQ(with_default_baud("uart:/dev/ttyUSB0", 921600), "uart:/dev/ttyUSB0,921600");
    EXPECT_EQ(with_default_baud("uart:/dev/ttyUSB0,115200", 921600), "uart:/dev/ttyUSB0,115200");
    EXPECT_EQ(with_default_baud("sim:/tmp/x", 921600), "sim:/tmp/x");
    EXPECT_EQ(port_identity("uart:" + (t / "nothing").string()), std::nullopt);
    std::filesystem::create_symlink(t / "ports.txt", t / "link");
    EXPECT_EQ(port_identity("uart:" + (t / "link").string() + ",115200"),
              std::filesystem::canonical(t / "ports.txt").string());
}

}  // namespace
}  // namespace rtprov::write
