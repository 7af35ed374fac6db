#pragma once
// `--port sim:auto`: a simulated part inside the rtprov process (the package's device, boot ROM
// then flashloader, flash and fuses in memory), served on a temporary HID-report socket by the
// simulator's own server thread, so a demo or a test needs no second process.

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "rtprov/device/device.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/inspect.hpp"

namespace rtprov::write {

class SimulatedPart {
  public:
    // Starts serving a fresh `device` (ROM running, flash erased, fuses blank but for a random
    // unique ID). Throws Error(Device) when the socket cannot be set up.
    explicit SimulatedPart(const device::Device& device);
    ~SimulatedPart();
    SimulatedPart(const SimulatedPart&) = delete;
    SimulatedPart& operator=(const SimulatedPart&) = delete;

    // The URI hosts open ("sim:/tmp/rtprov-sim-XXXXXX/hid.sock").
    const std::string& uri() const { return uri_; }
    // The simulator's boot check of what is on the part now (flash, fuses): would it boot at
    // power-on? Called by the board writer after its reset step, when no host talks to it.
    sim::Verdict boot_verdict() const;
    // Stops the server (idempotent) and reports on the chip: fuses, flash, would it boot.
    sim::Inspection stop_and_inspect();

  private:
    void stop();

    sim::Chip chip_;
    std::filesystem::path dir_;
    std::string uri_;
    std::atomic<bool> stop_{false};
    std::thread server_;
};

}  // namespace rtprov::write
