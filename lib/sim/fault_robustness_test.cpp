// Fault injection robustness: under every fault kind the whole provisioning flow (SDP load and
// jump, configure-memory, erase, write-memory, read-memory) ends either in verified success or in
// an rtprov::Error naming the failure; never in a silent corruption. The real host clients talk to
// the sim's Session in-process over a socketpair; the link faults the server adds on top of the
// Session (HID drop, disconnect-after, power loss) are reproduced by LinkBench as in server.cpp.
//
// Seeds and counts: 20 seeds per case (0..19), 64 KiB written per run, client timeout 250 ms.
// Outcomes when written ("ok" = verified success, "err" = a named rtprov::Error, fired = faults):
//   uart drop=0.00001 (per byte)          9 ok 11 err   fired 12
//   hid  drop=0.01 (per report)          11 ok  9 err   fired 12
//   uart crc=0.25                        14 ok  6 err   fired 387
//   uart nak=0.25                        14 ok  6 err   fired 382
//   uart delay-ack=0.05:20ms             20 ok  0 err   fired 75
//   uart delay-ack=0.02:400ms            10 ok 10 err   fired 10   (all "no ACK within 250 ms")
//   uart disconnect-after=500+4000*seed   2 ok 18 err
//   hid  disconnect-after=500+4000*seed   2 ok 18 err
//   uart program-fail=0.01               15 ok  5 err   fired 5    (all kStatus_..._ProgramFail)
//   hid  program-fail=0.01               15 ok  5 err   fired 5
//   uart power-loss-after=4099*seed       4 ok 16 power lost, partial prefix seen next session
//   hid  power-loss-after=4099*seed       4 ok 16 power lost, partial prefix seen next session
// Each test prints its split; what is asserted is the invariant, that faults fired, and that
// both outcomes occur where the rates make both likely.

#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"
#include "rtprov/sim/session.hpp"
#include "rtprov/sim/state_store.hpp"
#include "sim_test_support.hpp"
#include "test_support.hpp"

namespace rtprov::sim {
namespace {

using namespace std::chrono_literals;

constexpr int kSeeds = 20;
constexpr std::chrono::milliseconds kTimeout{250};
constexpr std::uint32_t kFlash = 0x60000000;
constexpr std::uint32_t kWriteOffset = 0x1000;  // inside the erased region, not at its start
constexpr std::uint32_t kEraseSize = 0x20000;
constexpr std::uint32_t kDataSize = 0x10000;

// Serves a Session on a thread over a socketpair with the link faults of server.cpp: HID drop
// loses whole reports, disconnect-after closes the link after N received bytes (header included
// on HID), power loss stops serving and closes the link.
class LinkBench {
  public:
    LinkBench(Chip& chip, FaultInjector& faults, bool hid) : session_(chip, &faults) {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        device_fd_ = sv[1];
        host_ = transport::socket_transport_from_fd(sv[0], hid, "host");
        device_ = transport::socket_transport_from_fd(sv[1], hid, "device");
        thread_ = std::thread([this, &faults, hid] { serve(faults, hid); });
    }
    ~LinkBench() { stop(); }
    // Stops the device side (the host sees the link closed) and waits for it.
    void stop() {
        if (!thread_.joinable())
            return;
        stop_ = true;
        ::shutdown(device_fd_, SHUT_RDWR);
        thread_.join();
    }
    transport::Transport& host() { return *host_; }
    bool power_lost() const { return power_lost_; }

  private:
    void serve(FaultInjector& faults, bool hid) {
        const auto limit = faults.spec().disconnect_after;
        std::uint64_t received = 0;
        try {
            std::uint8_t buf[4096];
            while (!stop_) {
                if (hid) {
                    auto r = device_->read_report(20ms);
                    if (!r)
                        continue;
                    received += r->data.size() + 3;
                    if (!faults.drop_byte()) {
                        for (const auto& out : session_.on_report(*r))
                            device_->write_report(out.id, out.data);
                    }
                } else if (std::size_t n = device_->read(buf, 20ms)) {
                    received += n;
                    device_->write(session_.on_bytes(ByteView(buf, n)));
                }
                power_lost_ = session_.power_lost();
                if (power_lost_ || (limit && received >= *limit))
                    break;
            }
        } catch (const Error&) {
            // host end closed
        }
        ::shutdown(device_fd_, SHUT_RDWR);
    }

    Session session_;
    int device_fd_ = -1;
    std::unique_ptr<transport::Transport> host_;
    std::unique_ptr<transport::Transport> device_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> power_lost_{false};
    std::thread thread_;
};

Bytes test_data(int seed) {
    Bytes out(kDataSize);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] =
            static_cast<std::uint8_t>((i * 131 + static_cast<std::size_t>(seed) * 7) ^ (i >> 8));
    return out;
}

// What the host saw of one run.
struct Run {
    bool write_ok = false;  // write-memory reported success
    bool read_ok = false;   // read-memory reported success
    Bytes readback;
    std::string error;  // the Error's text when a step failed
    ErrorCode code = ErrorCode::Internal;
};

void load_flashloader(transport::Transport& t) {
    proto::SdpClient sdp(t, kTimeout);
    sdp.set_jump_error_wait(20ms);
    const auto img = test::flashloader_image();
    sdp.write_file(img.address, img.data);
    sdp.jump_address(img.address + img.ivt_offset);
}

proto::McuBootClient configured_loader(transport::Transport& t) {
    proto::McuBootClient mb(t, kTimeout);
    if (!t.is_hid())
        mb.ping();
    mb.fill_memory(0x2000, 4, 0xC0000007);
    mb.configure_memory(9, 0x2000);
    return mb;
}

// The provisioning flow; any rtprov::Error ends it (other exceptions fail the test).
Run provision(transport::Transport& t, const Bytes& data) {
    Run run;
    try {
        load_flashloader(t);
        proto::McuBootClient mb = configured_loader(t);
        mb.flash_erase_region(kFlash, kEraseSize);
        mb.write_memory(kFlash + kWriteOffset, data);
        run.write_ok = true;
        run.readback = mb.read_memory(kFlash + kWriteOffset, kDataSize);
        run.read_ok = true;
    } catch (const Error& e) {
        run.error = e.what();
        run.code = e.code();
    }
    return run;
}

// Old content the erase has to remove, so a skipped erase shows in the data.
void dirty_flash(Chip& chip) {
    chip.flash().program(0, Bytes(kEraseSize + 0x1000, 0x3C));
}

struct Tally {
    int ok = 0;
    int failed = 0;
    FaultCounts fired;
};

// Checks one run against the chip it ran on (the server stopped): success claims must match the
// flash, failures must be named Errors.
void check_run(const Run& run, const Chip& chip, const Bytes& data, const std::regex& expected,
               const std::string& label) {
    SCOPED_TRACE(label);
    if (run.write_ok) {
        EXPECT_EQ(chip.flash().read(kWriteOffset, kDataSize), data)
            << "write-memory reported success but the flash differs";
        EXPECT_EQ(chip.flash().read(0, kWriteOffset), Bytes(kWriteOffset, 0xFF));
        const std::uint32_t tail = kEraseSize - kWriteOffset - kDataSize;
        EXPECT_EQ(chip.flash().read(kWriteOffset + kDataSize, tail), Bytes(tail, 0xFF));
    }
    if (run.read_ok) {
        EXPECT_EQ(run.readback, data) << "read-memory reported success with other data";
    }
    if (!run.read_ok) {
        EXPECT_EQ(run.code, ErrorCode::Device) << run.error;
        EXPECT_TRUE(std::regex_search(run.error, expected)) << "unexpected failure: " << run.error;
    }
}

// Runs the flow for seeds 0..kSeeds-1 with spec(seed); returns how the runs ended.
template <class SpecFn>
Tally run_seeds(bool hid, SpecFn spec, const std::regex& expected) {
    Tally tally;
    for (int seed = 0; seed < kSeeds; ++seed) {
        const std::string text = spec(seed);
        Chip chip(device::find_device("mimxrt1020"));
        dirty_flash(chip);
        FaultInjector faults(parse_fault_spec(text), static_cast<std::uint64_t>(seed));
        const Bytes data = test_data(seed);
        Run run;
        {
            LinkBench bench(chip, faults, hid);
            run = provision(bench.host(), data);
            bench.stop();
        }
        check_run(run, chip, data, expected,
                  (hid ? "hid " : "uart ") + text + " seed " + std::to_string(seed));
        (run.read_ok ? tally.ok : tally.failed) += 1;
        const FaultCounts& c = faults.counts();
        tally.fired.drop += c.drop;
        tally.fired.crc += c.crc;
        tally.fired.nak += c.nak;
        tally.fired.delay_ack += c.delay_ack;
        tally.fired.program_fail += c.program_fail;
        if (c.program_fail > 0) {
            // A page program failed: no step after it may claim the write.
            EXPECT_FALSE(run.write_ok) << text << " seed " << seed;
            EXPECT_NE(run.error.find("kStatus_FlexSPINOR_ProgramFail"), std::string::npos)
                << run.error;
        }
    }
    std::printf(
        "[ faults ] %s %s: %d ok, %d failed (fired: drop %llu crc %llu nak %llu "
        "delay-ack %llu program-fail %llu)\n",
        hid ? "hid" : "uart", spec(0).c_str(), tally.ok, tally.failed,
        static_cast<unsigned long long>(tally.fired.drop),
        static_cast<unsigned long long>(tally.fired.crc),
        static_cast<unsigned long long>(tally.fired.nak),
        static_cast<unsigned long long>(tally.fired.delay_ack),
        static_cast<unsigned long long>(tally.fired.program_fail));
    return tally;
}

auto fixed(std::string spec) {
    return [spec](int) { return spec; };
}

// Link failures the host may name: a timeout, the link closing, a NAK or corrupt frames that
// outlast the retries, or an unexpected packet after lost bytes.
const std::regex kLinkFailure(
    "within [0-9]+ ms|timeout after|connection closed|NAK after all retries|corrupt frames in a "
    "row|expected ACK|expected a (response|data) packet|exceeds [0-9]+|unknown packet type");

TEST(FaultRobustness, DroppedBytesOnUart) {
    const Tally t = run_seeds(false, fixed("drop=0.00001"), kLinkFailure);
    EXPECT_GT(t.fired.drop, 0u);
    EXPECT_GT(t.ok, 0);
    EXPECT_GT(t.failed, 0);
}

TEST(FaultRobustness, DroppedReportsOnHid) {
    const Tally t = run_seeds(true, fixed("drop=0.01"), kLinkFailure);
    EXPECT_GT(t.fired.drop, 0u);
    EXPECT_GT(t.ok, 0);
    EXPECT_GT(t.failed, 0);
}

TEST(FaultRobustness, CorruptCrcIsNakedAndResent) {
    const Tally t = run_seeds(false, fixed("crc=0.25"), kLinkFailure);
    EXPECT_GT(t.fired.crc, 0u);
    EXPECT_GT(t.ok, 0);
}

TEST(FaultRobustness, NakedFramesAreResent) {
    const Tally t = run_seeds(false, fixed("nak=0.25"), kLinkFailure);
    EXPECT_GT(t.fired.nak, 0u);
    EXPECT_GT(t.ok, 0);
}

TEST(FaultRobustness, ShortAckDelaysAreHarmless) {
    const Tally t = run_seeds(false, fixed("delay-ack=0.05:20ms"), kLinkFailure);
    EXPECT_GT(t.fired.delay_ack, 0u);
    EXPECT_EQ(t.failed, 0);
}

TEST(FaultRobustness, AckDelaysPastTheTimeoutFailByName) {
    const Tally t =
        run_seeds(false, fixed("delay-ack=0.02:400ms"), std::regex("no ACK within 250 ms"));
    EXPECT_GT(t.fired.delay_ack, 0u);
    EXPECT_GT(t.failed, 0);
}

std::string disconnect_spec(int seed) {
    return "disconnect-after=" + std::to_string(500 + 4000 * seed);
}

TEST(FaultRobustness, DisconnectOnUart) {
    const Tally t = run_seeds(false, disconnect_spec, kLinkFailure);
    EXPECT_GT(t.ok, 0);
    EXPECT_GT(t.failed, 0);
}

TEST(FaultRobustness, DisconnectOnHid) {
    const Tally t = run_seeds(true, disconnect_spec, kLinkFailure);
    EXPECT_GT(t.ok, 0);
    EXPECT_GT(t.failed, 0);
}

const std::regex kProgramFailure("write-memory: kStatus_FlexSPINOR_ProgramFail");

TEST(FaultRobustness, ProgramFailIsAFailingStatusOnUart) {
    const Tally t = run_seeds(false, fixed("program-fail=0.01"), kProgramFailure);
    EXPECT_GT(t.fired.program_fail, 0u);
    EXPECT_GT(t.ok, 0);
    EXPECT_GT(t.failed, 0);
}

TEST(FaultRobustness, ProgramFailIsAFailingStatusOnHid) {
    const Tally t = run_seeds(true, fixed("program-fail=0.01"), kProgramFailure);
    EXPECT_GT(t.fired.program_fail, 0u);
    EXPECT_GT(t.ok, 0);
    EXPECT_GT(t.failed, 0);
}

// Power goes after `budget` bytes of flash programming: the host must see the write fail, and the
// next power-on session (state saved and reloaded, as `rtprov sim --state` does) must hold exactly
// the programmed prefix, which a readback then tells apart from the data.
void power_loss_runs(bool hid) {
    int lost = 0;
    int completed = 0;
    for (int seed = 0; seed < kSeeds; ++seed) {
        const std::uint64_t budget = 4099u * static_cast<std::uint64_t>(seed);
        const std::string label =
            (hid ? "hid" : "uart") + std::string(" power-loss-after=") + std::to_string(budget);
        SCOPED_TRACE(label);
        Chip chip(device::find_device("mimxrt1020"));
        dirty_flash(chip);
        FaultInjector faults(parse_fault_spec("power-loss-after=" + std::to_string(budget)),
                             static_cast<std::uint64_t>(seed));
        const Bytes data = test_data(seed);
        Run run;
        bool power_lost = false;
        {
            LinkBench bench(chip, faults, hid);
            run = provision(bench.host(), data);
            bench.stop();
            power_lost = bench.power_lost();
        }
        check_run(run, chip, data, kLinkFailure, label);
        if (!power_lost) {
            EXPECT_GE(budget, kDataSize);
            EXPECT_TRUE(run.read_ok) << run.error;
            ++completed;
            continue;
        }
        ++lost;
        EXPECT_LT(budget, kDataSize);
        EXPECT_FALSE(run.write_ok);

        rtprov::test::TempDir dir;
        save_state(chip, dir.path());
        Chip next(device::find_device("mimxrt1020"));
        ASSERT_TRUE(load_state(next, dir.path()));
        next.reset();
        FaultInjector none(FaultSpec{}, 0);
        LinkBench bench(next, none, hid);
        load_flashloader(bench.host());
        proto::McuBootClient mb = configured_loader(bench.host());
        const Bytes back = mb.read_memory(kFlash + kWriteOffset, kDataSize);
        EXPECT_NE(back, data) << "the readback after a power loss must not match";
        Bytes expect(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(budget));
        expect.resize(kDataSize, 0xFF);
        EXPECT_EQ(back, expect) << "the flash must hold exactly the programmed prefix";
    }
    std::printf("[ faults ] %s power-loss-after=4099*seed: %d ok, %d lost power\n",
                hid ? "hid" : "uart", completed, lost);
    EXPECT_GT(lost, 0);
    EXPECT_GT(completed, 0);
}

TEST(FaultRobustness, PowerLossOnUartLeavesADetectablePartialWrite) {
    power_loss_runs(false);
}

TEST(FaultRobustness, PowerLossOnHidLeavesADetectablePartialWrite) {
    power_loss_runs(true);
}

}  // namespace
}  // namespace rtprov::sim
