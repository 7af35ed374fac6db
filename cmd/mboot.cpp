// rtprov mboot: talk to the MCUBoot flashloader with blhost's command lines: its global forms
// (-p PORT[,BAUD], -u VID,PID, -t MS, -j, `--`), command names, argument forms and output.

#include <algorithm>

#include <fmt/format.h>

#include "command.hpp"
#include "device_ops.hpp"
#include "mboot_batch.hpp"
#include "mboot_ops.hpp"
#include "rtprov/proto/link_probe.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::cli {

namespace {

using namespace std::chrono_literals;

// How long the link check before the first command waits for a ping response and then for the
// boot ROM's HAB word: a flashloader answers a ping at once, a ROM its ERROR_STATUS too.
constexpr auto kProbeWait = 250ms;

class MbootCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        options_.setup(
            app, mboot_ops(), mboot_foreign_ops(),
            "Examples: rtprov mboot -p usb:15a2:0073 fill-memory 0x2000 4 0xc0000007\n"
            "          blhost's forms: rtprov mboot -u 0x15a2,0x0073 -j -- get-property 1\n"
            "                          rtprov mboot -p /dev/ttyACM0,115200 batch cmds.txt\n"
            "Commands, blhost's forms and output: docs/commands/mboot.md");
    }

    int run(Output& main_out) override {
        const DeviceOp& op = options_.parsed("mboot");
        const std::string uri = options_.port_uri("mboot");
        std::vector<BatchLine> batch;
        if (op.name == "batch")
            // Every line is checked before the device is touched.
            batch = with_context("mboot batch",
                                 [&] { return read_batch(options_.args.at(0), options_); });
        return options_.run_output(main_out, [&](Output& out) {
            auto transport = transport::open_transport(uri);
            const auto timeout = std::chrono::milliseconds(options_.timeout_ms);
            expect_flashloader(*transport,
                               std::min<std::chrono::milliseconds>(timeout, kProbeWait));
            proto::McuBootClient mb(*transport, timeout);
            mb.set_progress([&](std::uint64_t done, std::uint64_t total) {
                out.detail("{} / {} bytes", done, total);
            });
            nlohmann::json doc = {{"command", op.name}, {"port", transport->describe()}};
            out.result(doc);
            if (op.name == "batch") {
                run_batch(batch, mb, out, doc);
            } else {
                with_context(fmt::format("mboot {}", op.name),
                             [&] { run_mboot_op(op, options_.args, mb, out, doc); });
            }
            doc["status"] = 0;
            out.result(doc);
            return 0;
        });
    }

  private:
    // Every line in order over this one connection; the first failure ends the batch, named
    // by its line. The JSON document keeps the results so far, also when a line fails.
    void run_batch(const std::vector<BatchLine>& lines, proto::McuBootClient& mb, Output& out,
                   nlohmann::json& doc) {
        const std::string file = options_.args.at(0);
        doc["file"] = file;
        doc["results"] = nlohmann::json::array();
        for (const auto& line : lines) {
            out.result(doc);
            nlohmann::json result = {{"line", line.line}};
            with_context(fmt::format("mboot batch: {}:{}: {}", file, line.line, line.op->name),
                         [&] { run_mboot_op(*line.op, line.args, mb, out, result); });
            doc["results"].push_back(std::move(result));
        }
    }

    // A boot ROM still in serial download mode never answers MCUBoot: say so now instead of
    // after the timeout.
    static void expect_flashloader(transport::Transport& t, std::chrono::milliseconds wait) {
        const proto::LinkProbe p = proto::probe_link(t, wait);
        if (p.answer != proto::LinkAnswer::BootRom)
            return;
        const std::string hab =
            p.hab_word == 0
                ? "enumerates as the boot ROM"
                : fmt::format("HAB {}", p.hab_word == static_cast<std::uint32_t>(
                                                          proto::sdp::Response::HabLocked)
                                            ? "closed"
                                            : "open");
        throw Error(ErrorCode::Device,
                    fmt::format("{}: the boot ROM answered (boot ROM in serial download mode, "
                                "SDP; {}), not an MCUBoot flashloader: load a flashloader first "
                                "(rtprov sdp -p PORT write-file ADDRESS ivt_flashloader.bin, then "
                                "rtprov sdp -p PORT jump-address ADDRESS), or let rtprov write "
                                "do it",
                                t.describe(), hab));
    }

    DeviceOpOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_mboot_command() {
    return std::make_unique<MbootCommand>();
}

}  // namespace rtprov::cli
