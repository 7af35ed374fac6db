// MCUBoot, device side: the simulated flashloader (sim::Flashloader behind sim::Session)
// receiving arbitrary frames/reports: every command tag, data phases, flash erase/program,
// configure-memory option blocks (FlexSPI NOR, BEE), eFuse access, receive-sb-file.
#include "sim_session_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rtprov::fuzz::drive_session(data, size, rtprov::sim::ChipMode::Flashloader);
    return 0;
}
