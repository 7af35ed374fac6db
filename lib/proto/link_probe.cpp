// probe_link: a flashloader answers a ping; the boot ROM answers SDP with its HAB word.

#include "rtprov/proto/link_probe.hpp"

#include "rtprov/device/device.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"

namespace rtprov::proto {

namespace {

bool is_rom_usb_id(const transport::UsbIdentity& id) {
    for (const auto& dev : device::all_devices()) {
        if (dev.rom_usb.vid == id.vid && dev.rom_usb.pid == id.pid)
            return true;
    }
    return false;
}

// ERROR_STATUS with a short wait: the HAB word of a boot ROM, or 0.
std::uint32_t sdp_hab_word(transport::Transport& t, std::chrono::milliseconds wait) {
    SdpClient sdp(t, wait);
    try {
        sdp.error_status();
    } catch (const Error& e) {
        if (e.code() != ErrorCode::Device && e.code() != ErrorCode::Verification)
            throw;
    }
    // A ROM that sent its HAB word but no status still identified itself.
    const std::uint32_t w = sdp.last_hab_word();
    return sdp::is_hab_word(w) ? w : 0;
}

}  // namespace

LinkProbe probe_link(transport::Transport& t, std::chrono::milliseconds wait) {
    if (t.is_hid()) {
        const auto id = t.usb_identity();
        if (!id || !is_rom_usb_id(*id))
            return {LinkAnswer::Flashloader, 0};
        return {LinkAnswer::BootRom, sdp_hab_word(t, wait)};
    }
    McuBootClient mb(t, wait);
    try {
        mb.ping();
        return {LinkAnswer::Flashloader, 0};
    } catch (const Error&) {
        // No (valid) ping response: a ROM, or nothing at all.
    }
    if (const std::uint32_t w = sdp_hab_word(t, wait))
        return {LinkAnswer::BootRom, w};
    t.flush();
    return {LinkAnswer::Silent, 0};
}

}  // namespace rtprov::proto
