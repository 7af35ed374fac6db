#pragma once
// For lib/sim's tests (test-only header): a Session served on one end of a socketpair on a
// thread, the host end for rtprov's own clients, so the protocols run in-process exactly as over
// a pty or USB.

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>

#include "rtprov/proto/sdp_client.hpp"
#include "rtprov/sim/session.hpp"
#include "rtprov/transport/transport.hpp"
#include "sim_test_support.hpp"

namespace rtprov::sim::test {

// Serves one end of a socketpair with a Session on a thread; the test gets the host end.
class Bench {
  public:
    explicit Bench(bool hid, FaultInjector* faults = nullptr, std::string_view part = "mimxrt1020")
        : chip_(device::find_device(part)), session_(chip_, faults) {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        host_ = transport::socket_transport_from_fd(sv[0], hid, "host");
        device_ = transport::socket_transport_from_fd(sv[1], hid, "device");
        thread_ = std::thread([this, hid] { serve(hid); });
    }
    ~Bench() {
        stop_ = true;
        thread_.join();
    }
    transport::Transport& host() { return *host_; }
    Chip& chip() { return chip_; }

  private:
    void serve(bool hid) {
        using namespace std::chrono_literals;
        try {
            std::uint8_t buf[4096];
            while (!stop_) {
                if (hid) {
                    if (auto r = device_->read_report(20ms)) {
                        for (const auto& out : session_.on_report(*r))
                            device_->write_report(out.id, out.data);
                    }
                } else if (std::size_t n = device_->read(buf, 20ms)) {
                    device_->write(session_.on_bytes(ByteView(buf, n)));
                }
            }
        } catch (const Error&) {
            // host end closed
        }
    }

    Chip chip_;
    Session session_;
    std::unique_ptr<transport::Transport> host_;
    std::unique_ptr<transport::Transport> device_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Loads and starts the flashloader stand-in of `part` over SDP: the chip is in MCUBoot after it.
inline void load_flashloader(transport::Transport& t, std::string_view part = "mimxrt1020") {
    using namespace std::chrono_literals;
    proto::SdpClient sdp(t, 2000ms);
    EXPECT_EQ(sdp.error_status(), 0xF0F0F0F0u);
    const auto img = test::flashloader_image(part);
    sdp.write_file(img.address, img.data);
    sdp.jump_address(img.address + img.ivt_offset);
}

}  // namespace rtprov::sim::test
