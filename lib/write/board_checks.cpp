// The checks that make "passed" mean "this board boots and is the part the package is for":
// the part's identity before anything is erased, the boot device's size, and the boot check
// after the reset.

#include <thread>

#include <fmt/format.h>

#include "board_writer.hpp"

namespace rtprov::write::detail {

namespace {

using namespace std::chrono_literals;
namespace mb = proto::mboot;

// External memory attributes (get-property 0x19): the flags word's "size valid" bit and where
// the size in KiB is in the answer.
constexpr std::uint32_t kMemorySizeValid = 1u << 1;
constexpr std::size_t kStartIndex = 1;
constexpr std::size_t kSizeKibIndex = 2;

// How long one look for the boot ROM takes, and the pause between looks (--boot-check).
constexpr auto kBootProbe = 300ms;
constexpr auto kBootPause = 200ms;

std::string parts_with_rom_id(const transport::UsbIdentity& id) {
    std::string names;
    for (const device::Device& d : device::all_devices()) {
        if (d.rom_usb.vid == id.vid && d.rom_usb.pid == id.pid) {
            names += names.empty() ? "" : ", ";
            names += d.name;
        }
    }
    return names.empty() ? "not an RT10xx boot ROM" : names;
}

}  // namespace

std::string BoardWriter::check_rom_identity() {
    const device::UsbId want = job_.device->rom_usb;
    const std::optional<transport::UsbIdentity> id = t_->usb_identity();
    if (!id) {
        return "part not identified (the link shows no USB identity; the package's device is "
               "taken on trust)";
    }
    if (id->vid == want.vid && id->pid == want.pid) {
        return fmt::format("boot ROM {:04x}:{:04x} ({})", id->vid, id->pid,
                           parts_with_rom_id(*id));
    }
    throw Error(ErrorCode::Verification,
                fmt::format("wrong part at {}: its boot ROM enumerates as {:04x}:{:04x} ({}), but "
                            "the package is for {} (boot ROM {:04x}:{:04x}); nothing was written",
                            port_.name, id->vid, id->pid, parts_with_rom_id(*id),
                            job_.device->name, want.vid, want.pid));
}

void BoardWriter::check_memory_size(const pkg::WriteStep& configured) {
    std::vector<std::uint32_t> v;
    try {
        v = retry("get-property external-memory-attributes", [&] {
            return mb().get_property(static_cast<std::uint8_t>(mb::Property::ExternalMemoryAttributes),
                                     configured.memory_id);
        });
    } catch (const proto::McuBootStatusError&) {
        return;  // a flashloader that does not tell: the writes themselves will fail if too big
    }
    if (v.size() <= kSizeKibIndex || (v[0] & kMemorySizeValid) == 0)
        return;
    const std::uint64_t size = std::uint64_t{v[kSizeKibIndex]} * 1024;
    for (const pkg::ImageEntry& img : job_.package.manifest.images) {
        if (img.memory_id != configured.memory_id)
            continue;
        const std::uint64_t base = img.address >= v[kStartIndex] ? v[kStartIndex] : 0;
        const std::uint64_t end = img.address - base + file(img.file).size();
        if (end > size) {
            throw Error(ErrorCode::Verification,
                        fmt::format("the board's memory {} holds {} KiB, but {} ends at offset "
                                    "0x{:X}: not the board the package is for; nothing was erased",
                                    configured.memory_id, size / 1024, img.file, end));
        }
    }
}

StepDone BoardWriter::boot_check() {
    if (port_.boot_check) {
        const auto [ok, why] = port_.boot_check();
        if (!ok) {
            r_.boot_check = "does not boot: " + why;
            throw Error(ErrorCode::Verification,
                        fmt::format("the board does not boot: {}", why));
        }
        r_.boot_check = why.empty() ? std::string("boots") : "boots: " + why;
        return {r_.boot_check};
    }
    if (o_.boot_check.count() <= 0) {
        r_.boot_check = "not checked";
        return {"boot not checked (--boot-check watches for the boot ROM after the reset)"};
    }
    // A part that cannot boot what is on it falls back to the serial downloader: its ROM
    // answers SDP again. One that boots runs the application and stays silent to SDP.
    mb_.reset();
    t_.reset();
    const auto t0 = Clock::now();
    while (Clock::now() - t0 < o_.boot_check) {
        check_stop();
        bool rom = false;
        try {
            t_.reset();  // the port is locked while open: closed before it is opened again
            t_ = port_.open();
            proto::SdpClient sdp(*t_, kBootProbe);
            sdp.error_status();
            rom = true;
        } catch (const Error&) {
        }
        t_.reset();
        if (rom) {
            const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
            r_.boot_check = fmt::format(
                "does not boot: the boot ROM came back in serial-download mode {:.1f} s after "
                "the reset",
                secs);
            throw Error(ErrorCode::Verification,
                        fmt::format("the board does not boot: its boot ROM came back in "
                                    "serial-download mode {:.1f} s after the reset (no valid "
                                    "image, HAB rejected it, or the boot pins select serial "
                                    "download)",
                                    secs));
        }
        std::this_thread::sleep_for(kBootPause);
    }
    r_.boot_check = fmt::format("boots: no serial-download boot ROM at the port within {} ms of "
                                "the reset",
                                o_.boot_check.count());
    return {r_.boot_check};
}

}  // namespace rtprov::write::detail
