// SDP, host side: rtprov's SdpClient (proto/sdp_client.cpp) reading whatever a boot ROM might
// send back (HAB words, status words, READ_REGISTER data) over UART and over USB-HID reports.
#include "host_ops.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::Reader in(fuzz::bytes_of(data, size));
    const auto flags = in.number<std::uint8_t>();
    if (!flags)
        return 0;
    fuzz::ScriptedLink link((*flags & 1) != 0);
    proto::SdpClient client(link, std::chrono::milliseconds(1));
    client.set_jump_error_wait(std::chrono::milliseconds(0));
    while (const auto op = fuzz::next_host_operation(in)) {
        link.next_operation(op->device_bytes, op->arg);
        fuzz::expect_parse_or_reject([&] { fuzz::run_sdp_op(client, *op); });
    }
    return 0;
}
