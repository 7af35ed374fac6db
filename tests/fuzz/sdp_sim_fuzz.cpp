// SDP, device side: the simulated boot ROM (sim::BootRom behind sim::Session) receiving
// arbitrary commands and data phases: WRITE_FILE, DCD (run on the simulated buses), READ/WRITE
// REGISTER, JUMP_ADDRESS with the IVT and HAB checks, SET_BAUDRATE.
#include "sim_session_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rtprov::fuzz::drive_session(data, size, rtprov::sim::ChipMode::Rom);
    return 0;
}
