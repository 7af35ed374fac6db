// rtprov sim: a simulated RT10xx speaking SDP and MCUBoot over a pty or a HID-report socket, and
// `rtprov sim --state DIR inspect` to look at what a run left behind.

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/sim/inspect.hpp"
#include "rtprov/sim/server.hpp"
#include "rtprov/sim/state_store.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::cli {

namespace {

// Set by SIGINT/SIGTERM; the server polls it (a signal handler can do nothing more).
std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
    g_stop.store(true);
}

constexpr const char* kFaultsHelp =
    "Inject faults, comma-separated key=value: drop=P (lose received bytes), crc=P (bad CRC on "
    "sent MCUBoot UART frames), nak=P (NAK good frames), delay-ack=P[:T] (hold ACKs back T, "
    "default 100ms), disconnect-after=N (drop the link after N received bytes; UART gets a new "
    "pty), program-fail=P (flash program fails), power-loss-after=N (power goes after N more "
    "flash bytes are programmed: state saved partially written, exit 3). P is a probability "
    "0..1. Example: drop=0.001,crc=0.01,delay-ack=0.05:200ms,power-loss-after=500000";

struct SimOptions {
    std::string action = "serve";
    std::string device = "mimxrt1020";
    bool uart = false;
    std::string hid;
    std::string link;
    std::string state;
    std::uint32_t baud = 0;
    std::string faults;
    std::uint64_t seed = 1;
    std::string uid;
    std::string boot_mode = "serial";
    bool encrypted_xip_pin = false;
    bool show_keys = false;
    bool device_given = false;
};

// --uid: 16 hex digits (UUID1 then UUID0, as `rtprov write` reports it).
std::uint64_t parse_uid(const std::string& text) {
    std::uint64_t v = 0;
    const char* end = text.data() + text.size();
    if (text.empty() || text.size() > 16 || std::from_chars(text.data(), end, v, 16).ptr != end)
        throw Error(
            ErrorCode::Usage,
            fmt::format("--uid '{}': expected up to 16 hex digits (UUID1 then UUID0)", text));
    return v;
}

// The part's unique ID: kept in the state directory; a new part gets a random one (or --uid).
void set_identity(sim::Chip& chip, const SimOptions& o, bool loaded) {
    if (!o.uid.empty()) {
        const std::uint64_t uid = parse_uid(o.uid);
        if (loaded && chip.fuses().uid() != uid) {
            throw Error(ErrorCode::Usage,
                        fmt::format("{} holds a part with UID {:016x}, not --uid {:016x}", o.state,
                                    chip.fuses().uid(), uid));
        }
        chip.fuses().set_uid(uid);
    } else if (!loaded) {
        chip.fuses().set_uid(sim::random_uid());
    }
    if (!loaded && !o.state.empty())
        sim::save_state(chip, o.state);
}

// The BEE/OTFAD user key words: their values are shown only with --show-keys.
bool key_word(const sim::FuseValue& f) {
    return f.name.starts_with("SW_GP2");
}

nlohmann::json inspection_json(const sim::Inspection& i, bool show_keys) {
    nlohmann::json fuses = nlohmann::json::array();
    for (const auto& f : i.fuses) {
        if (key_word(f) && !show_keys)
            fuses.push_back({{"name", f.name}, {"index", f.index}, {"keys_hidden", true}});
        else
            fuses.push_back({{"name", f.name}, {"index", f.index}, {"value", f.value}});
    }
    nlohmann::json used = nlohmann::json::array();
    for (const auto& r : i.flash_used)
        used.push_back({{"address", i.flash_base + r.offset}, {"length", r.length}});
    return {{"device", i.device},
            {"uid", fmt::format("{:016x}", i.uid)},
            {"state", sim::chip_mode_name(i.mode)},
            {"hab", i.hab_closed ? "closed" : "open"},
            {"flash",
             {{"size", i.geometry.size},
              {"sector_size", i.geometry.sector_size},
              {"page_size", i.geometry.page_size},
              {"used", used}}},
            {"fuses", fuses},
            {"boot_check", {{"boots", i.boot.ok}, {"reason", i.boot.reason}}}};
}

int run_inspect(Output& out, const SimOptions& o) {
    if (o.state.empty())
        throw Error(ErrorCode::Usage, "sim inspect needs --state DIR");
    const auto name = sim::stored_device(o.state);
    if (!name)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: no simulator state (state.json) found", o.state));
    sim::Chip chip(device::find_device(*name));
    sim::load_state(chip, o.state);
    chip.set_encrypted_xip_pin(o.encrypted_xip_pin);
    const sim::Inspection i = sim::inspect(chip);
    out.result(inspection_json(i, o.show_keys));
    out.text("part: {}", i.device);
    out.text("uid: {:016x}", i.uid);
    out.text("state: {}", sim::chip_mode_name(i.mode));
    out.text("hab: {}", i.hab_closed ? "closed" : "open");
    out.text("fuses set:{}", i.fuses.empty() ? " none" : "");
    for (const auto& f : i.fuses) {
        if (key_word(f) && !o.show_keys)
            out.text("  {:<12} index 0x{:02X} = (key, set; --show-keys shows it)", f.name, f.index);
        else
            out.text("  {:<12} index 0x{:02X} = 0x{:08X}", f.name, f.index, f.value);
    }
    out.text("flash: {} bytes, {}-byte sectors, {}-byte pages", i.geometry.size,
             i.geometry.sector_size, i.geometry.page_size);
    out.text("flash used:{}", i.flash_used.empty() ? " none (erased)" : "");
    for (const auto& r : i.flash_used) {
        out.text("  0x{:08X}..0x{:08X} ({} bytes)", i.flash_base + r.offset,
                 i.flash_base + r.offset + r.length - 1, r.length);
    }
    out.text("boot check: {}: {}", i.boot.ok ? "boots" : "does not boot", i.boot.reason);
    return 0;
}

int run_serve(Output& out, const SimOptions& o) {
    if (o.uart == !o.hid.empty())
        throw Error(ErrorCode::Usage, "sim needs exactly one of --uart and --hid PATH");
    if (!o.link.empty() && !o.uart)
        throw Error(ErrorCode::Usage, "--link makes a symlink to the pty: it needs --uart");
    // Without --device a saved state decides the part; with it, a mismatch is an error.
    std::string device = o.device;
    if (!o.device_given && !o.state.empty()) {
        if (auto stored = sim::stored_device(o.state))
            device = *stored;
    }
    sim::Chip chip(device::find_device(device));
    const bool loaded = !o.state.empty() && sim::load_state(chip, o.state);
    set_identity(chip, o, loaded);
    chip.set_boot_pins(o.boot_mode == "internal" ? sim::BootPins::Internal
                                                 : sim::BootPins::SerialDownloader);
    chip.set_encrypted_xip_pin(o.encrypted_xip_pin);
    chip.reset();  // power-on: the boot ROM runs first (and, on internal boot, boots the flash)

    sim::ServerOptions options;
    options.link = o.uart ? sim::LinkKind::Uart : sim::LinkKind::Hid;
    options.hid_socket = o.hid;
    if (!o.link.empty())
        options.uart_link = o.link;
    if (!o.state.empty())
        options.state_dir = o.state;
    options.baud = o.baud;
    options.faults = sim::parse_fault_spec(o.faults);
    options.seed = o.seed;

    sim::ServerCallbacks callbacks;
    callbacks.on_endpoint = [&](const std::string& endpoint) {
        if (out.json()) {
            const nlohmann::json doc = {{"endpoint", endpoint},
                                        {"link", o.uart ? "uart" : "hid"},
                                        {"device", chip.device().name},
                                        {"uid", fmt::format("{:016x}", chip.fuses().uid())}};
            fmt::print("{}\n", doc.dump());
        } else {
            fmt::print("{}\n", endpoint);
        }
        std::fflush(stdout);
    };
    callbacks.on_event = [&](const std::string& message) { out.detail("sim: {}", message); };

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);
    const sim::StopReason reason = sim::serve(chip, options, callbacks, g_stop);
    if (reason == sim::StopReason::PowerLoss)
        throw Error(ErrorCode::Device,
                    fmt::format("sim: power lost during a flash write (fault injection){}",
                                o.state.empty() ? "" : "; state saved in " + o.state));
    return 0;
}

class SimCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("action", o_.action, "serve (default) or inspect (report on --state DIR)")
            ->check(CLI::IsMember({"serve", "inspect"}));
        device_opt_ = app.add_option("--device", o_.device,
                                     "Part to simulate (default mimxrt1020, or the part saved in "
                                     "--state DIR)");
        app.add_flag("--uart", o_.uart,
                     "Serve over a pseudo-terminal; prints its path as the first line");
        app.add_option("--hid", o_.hid,
                       "Serve HID reports on a Unix socket at PATH (host URI sim:PATH)");
        app.add_option("--link", o_.link, "With --uart: keep a symlink at PATH to the pty");
        app.add_option("--state", o_.state,
                       "Load flash and fuses from DIR and save them back (atomically)");
        app.add_option("--baud", o_.baud,
                       "Throttle the pty to N baud (10 bits per byte); SET_BAUDRATE changes it");
        app.add_option("--faults", o_.faults, kFaultsHelp);
        app.add_option("--seed", o_.seed, "Seed of the fault injection (default 1)");
        app.add_option("--boot-mode", o_.boot_mode,
                       "BOOT_MODE pins: serial (serial downloader after every reset, the "
                       "default) or internal (boot the flash after a reset; a part that cannot "
                       "boot falls back to the serial downloader, as `write --boot-check` expects)")
            ->check(CLI::IsMember({"serial", "internal"}));
        app.add_flag("--encrypted-xip-pin", o_.encrypted_xip_pin,
                     "Set the Encrypted XIP boot configuration pin: the boot ROM enables BEE from "
                     "it while BT_FUSE_SEL is not burned (with BT_FUSE_SEL, the ENCRYPTED_XIP fuse "
                     "decides)");
        app.add_flag("--show-keys", o_.show_keys,
                     "inspect: show the values of the key words (SW_GP2, the BEE/OTFAD user key); "
                     "without it they are listed as set, without a value");
        app.add_option("--uid", o_.uid,
                       "Unique ID of the part, 16 hex digits (default: random for a new part, "
                       "kept in --state DIR)");
    }

    int run(Output& out) override {
        o_.device_given = device_opt_->count() > 0;
        return o_.action == "inspect" ? run_inspect(out, o_) : run_serve(out, o_);
    }

  private:
    SimOptions o_;
    CLI::Option* device_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_sim_command() {
    return std::make_unique<SimCommand>();
}

}  // namespace rtprov::cli
