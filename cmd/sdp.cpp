// rtprov sdp: talk to the boot ROM's serial downloader, sdphost's commands line by line.

#include <fmt/format.h>

#include "command.hpp"
#include "device_ops.hpp"
#include "rtprov/proto/sdp_client.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::cli {

namespace {

constexpr DeviceOp kOps[] = {
    {"error-status", "", 0, 0, "Read the HAB error status word"},
    {"read-register", "ADDRESS [FORMAT [COUNT]]", 1, 3,
     "Read COUNT bytes (default FORMAT/8) at ADDRESS with access width FORMAT bits (8/16/32)"},
    {"write-register", "ADDRESS FORMAT VALUE", 3, 3, "Write VALUE (width FORMAT bits) at ADDRESS"},
    {"write-file", "ADDRESS FILE", 2, 2, "Load FILE into RAM at ADDRESS"},
    {"write-dcd", "ADDRESS FILE", 2, 2, "Send a DCD from FILE and let the ROM run it"},
    {"skip-dcd-header", "", 0, 0, "Make the next jump-address ignore the image's DCD"},
    {"jump-address", "ADDRESS", 1, 1, "Run the image whose IVT is at ADDRESS"},
    {"set-baudrate", "BAUD", 1, 1, "Switch the UART speed of the ROM and the host"},
};

class SdpCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        options_.setup(
            app, kOps, {},
            "Examples: rtprov sdp -p usb:1fc9:0130 write-file 0x20001C00 ivt_flashloader.bin\n"
            "          sdphost's forms: rtprov sdp -u 0x1fc9,0x0130 -j -- error-status\n"
            "                           rtprov sdp -p /dev/ttyUSB0,115200 -- jump-address "
            "0x20001C00\n"
            "Commands and sdphost's forms: docs/commands/sdp.md");
    }

    int run(Output& main_out) override {
        const DeviceOp* op = &options_.parsed("sdp");
        const std::string uri = options_.port_uri("sdp");
        return options_.run_output(main_out, [&](Output& out) {
            auto transport = transport::open_transport(uri);
            proto::SdpClient sdp(*transport, std::chrono::milliseconds(options_.timeout_ms));
            sdp.set_progress([&](std::uint64_t done, std::uint64_t total) {
                out.detail("{} / {} bytes", done, total);
            });
            nlohmann::json doc = {{"command", op->name}, {"port", transport->describe()}};
            out.result(doc);
            with_context(fmt::format("sdp {}", op->name), [&] { execute(*op, sdp, out, doc); });
            doc["hab"] = sdp.hab_closed() ? "closed" : "open";
            out.result(doc);
            return 0;
        });
    }

  private:
    std::uint32_t arg(std::size_t i, std::string_view what) const {
        return parse_u32(options_.args.at(i), what);
    }

    void execute(const DeviceOp& op, proto::SdpClient& sdp, Output& out, nlohmann::json& doc) {
        const std::string_view n = op.name;
        if (n == "error-status") {
            const std::uint32_t w = sdp.error_status();
            doc["status"] = w;
            out.text("Status (HAB mode) = {}", proto::sdp::describe_error_status(w));
        } else if (n == "read-register") {
            const auto format =
                static_cast<std::uint8_t>(options_.args.size() > 1 ? arg(1, "format") : 32);
            // As sdphost: COUNT missing or 0 reads one item of the access width.
            std::uint32_t count = options_.args.size() > 2 ? arg(2, "count") : 0;
            if (count == 0)
                count = format / 8u;
            const Bytes data = sdp.read_register(arg(0, "address"), count, format);
            doc["data"] = data;
            std::string hex;
            for (std::size_t i = 0; i < data.size(); ++i) {
                hex += fmt::format("{:02X}{}", data[i], (i % 16 == 15) ? "\n" : " ");
            }
            out.text("{}", hex);
        } else if (n == "write-register") {
            const auto format = static_cast<std::uint8_t>(arg(1, "format"));
            sdp.write_register(arg(0, "address"), arg(2, "value"), format);
            out.text("Wrote 0x{:X} at 0x{:08X}", arg(2, "value"), arg(0, "address"));
        } else if (n == "write-file" || n == "write-dcd") {
            const Bytes data = read_file(options_.args.at(1));
            if (n == "write-file") {
                sdp.write_file(arg(0, "address"), data);
            } else {
                sdp.write_dcd(arg(0, "address"), data);
            }
            doc["bytes"] = data.size();
            out.text("Sent {} bytes to 0x{:08X}", data.size(), arg(0, "address"));
        } else if (n == "skip-dcd-header") {
            sdp.skip_dcd_header();
            out.text("DCD header will be skipped");
        } else if (n == "jump-address") {
            sdp.jump_address(arg(0, "address"));
            out.text("Jumped to the image at 0x{:08X}", arg(0, "address"));
        } else if (n == "set-baudrate") {
            sdp.set_baudrate(arg(0, "baud rate"));
            out.text("Baud rate set to {}", arg(0, "baud rate"));
        }
    }

    DeviceOpOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_sdp_command() {
    return std::make_unique<SdpCommand>();
}

}  // namespace rtprov::cli
