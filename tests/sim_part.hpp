#pragma once
// A simulated part for the black-box write tests: `rtprov sim` on a HID socket (--hid) or a pty
// (--uart) with its state in its own folder, and what `rtprov sim inspect` says of it.

#include <csignal>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "process_support.hpp"

namespace rtprov::test {

class SimPart {
  public:
    // `args`: more options of `rtprov sim` ("--device mimxrt1020", "--boot-mode internal").
    SimPart(bool hid, const std::string& args, const std::filesystem::path& state)
        : hid_(hid),
          child_(fmt::format("{} sim {} --state {} {} 2>/dev/null", kRtprov,
                             hid ? "--hid " + (state / "hid.sock").string() : "--uart",
                             state.string(), args)),
          state_(state) {
        endpoint_ = child_.line().value_or("");
    }
    // The --port of `rtprov write`: sim:SOCKET or uart:PTY.
    std::string port() const { return (hid_ ? "sim:" : "uart:") + endpoint_; }
    // SIGTERM and wait (the state is saved); returns the exit status.
    int stop() {
        child_.signal(SIGTERM);
        return child_.wait();
    }
    // `rtprov --json sim --state DIR inspect`: flash.used, fuses, hab, boot_check.
    nlohmann::json inspect() const {
        const auto r = rtprov("--json sim --state " + state_.string() + " inspect");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out);
    }

  private:
    bool hid_;
    Child child_;
    std::filesystem::path state_;
    std::string endpoint_;
};

}  // namespace rtprov::test
