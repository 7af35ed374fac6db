// rtprov devices: the compiled-in device database.

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/proto/scan.hpp"

namespace rtprov::cli {

namespace {

nlohmann::json device_json(const device::Device& d) {
    nlohmann::json memory = nlohmann::json::array();
    for (const auto& r : d.memory) {
        memory.push_back({{"name", r.name},
                          {"start", r.start},
                          {"size", r.size},
                          {"external", r.external},
                          {"xip", r.xip}});
    }
    nlohmann::json layouts = nlohmann::json::array();
    for (const auto& l : d.boot_layouts) {
        layouts.push_back({{"boot_device", device::boot_device_name(l.device)},
                           {"ivt_offset", l.ivt_offset},
                           {"initial_load_size", l.initial_load_size},
                           {"fcb", l.has_fcb}});
    }
    nlohmann::json fuses = nlohmann::json::array();
    for (const auto& f : d.fuses) {
        fuses.push_back({{"name", f.name}, {"index", f.index}, {"shadow", f.shadow}});
    }
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : d.fuse_fields) {
        fields.push_back({{"name", f.name},
                          {"word", f.word},
                          {"shift", f.shift},
                          {"width", f.width},
                          {"description", f.description}});
    }
    return {{"name", d.name},
            {"description", d.description},
            {"core", d.core},
            {"memory", memory},
            {"rom_usb", fmt::format("{:04x}:{:04x}", d.rom_usb.vid, d.rom_usb.pid)},
            {"flashloader_usb",
             fmt::format("{:04x}:{:04x}", d.flashloader_usb.vid, d.flashloader_usb.pid)},
            {"flashloader_address", d.flashloader_address},
            {"boot_layouts", layouts},
            {"fuses", fuses},
            {"fuse_fields", fields}};
}

void print_detail(Output& out, const device::Device& d) {
    out.text("{}: {} ({})", d.name, d.description, d.core);
    out.text("  boot ROM USB {:04x}:{:04x}, flashloader USB {:04x}:{:04x}, flashloader at 0x{:08X}",
             d.rom_usb.vid, d.rom_usb.pid, d.flashloader_usb.vid, d.flashloader_usb.pid,
             d.flashloader_address);
    out.text("  memory:");
    for (const auto& r : d.memory) {
        out.text("    {:<10} 0x{:08X}..0x{:08X} {:>8} KiB{}{}", r.name, r.start,
                 static_cast<std::uint64_t>(r.start) + r.size - 1, r.size / 1024,
                 r.external ? " external" : "", r.xip ? " XIP" : "");
    }
    out.text("  boot devices (IVT offset / initial load size):");
    for (const auto& l : d.boot_layouts) {
        out.text("    {:<18} 0x{:04X} / 0x{:04X}{}", device::boot_device_name(l.device),
                 l.ivt_offset, l.initial_load_size, l.has_fcb ? "  (FCB at 0)" : "");
    }
    out.text("  fuse words:");
    for (const auto& f : d.fuses) {
        out.text("    {:<12} index {:>3} (0x{:02X})  shadow 0x{:08X}", f.name, f.index, f.index,
                 f.shadow);
    }
}

class DevicesCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.add_option("name", name_, "Show one part in detail (e.g. mimxrt1050)");
        app.add_flag("--scan", scan_,
                     "List connected RT10xx boot ROMs and flashloaders on USB (with --port URIs)");
    }

    int run(Output& out) override {
        if (scan_)
            return run_scan(out);
        if (!name_.empty()) {
            const auto& d = device::find_device(name_);
            out.result(device_json(d));
            if (!out.json())
                print_detail(out, d);
            return 0;
        }
        nlohmann::json list = nlohmann::json::array();
        for (const auto& d : device::all_devices()) {
            list.push_back(device_json(d));
            std::string boots;
            for (const auto& l : d.boot_layouts) {
                boots +=
                    (boots.empty() ? "" : ",") + std::string(device::boot_device_name(l.device));
            }
            out.text("{:<12} ROM {:04x}:{:04x}  {:<40} {}", d.name, d.rom_usb.vid, d.rom_usb.pid,
                     d.description, boots);
        }
        out.result({{"devices", list}});
        return 0;
    }

  private:
    int run_scan(Output& out) {
        nlohmann::json list = nlohmann::json::array();
        const auto found = proto::scan_usb();
        for (const auto& d : found) {
            std::string parts;
            for (const auto& p : d.parts)
                parts += (parts.empty() ? "" : ",") + p;
            out.text("{:04x}:{:04x} {:<11} {:<40} --port {}{}", d.vid, d.pid, d.mode, parts, d.uri,
                     d.serial.empty() ? "" : " (serial " + d.serial + ")");
            list.push_back({{"vid", d.vid},
                            {"pid", d.pid},
                            {"mode", d.mode},
                            {"parts", d.parts},
                            {"serial", d.serial},
                            {"path", d.path},
                            {"uri", d.uri}});
        }
        if (found.empty())
            out.text("no RT10xx boot ROM or flashloader found on USB");
        out.result({{"devices", list}});
        return 0;
    }

    std::string name_;
    bool scan_ = false;
};

}  // namespace

std::unique_ptr<Command> make_devices_command() {
    return std::make_unique<DevicesCommand>();
}

}  // namespace rtprov::cli
