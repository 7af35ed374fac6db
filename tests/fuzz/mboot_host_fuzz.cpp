// MCUBoot, host side: rtprov's McuBootClient (proto/mboot_client.cpp) reading whatever a
// flashloader might send (ACK/NAK/ABORT, ping responses, CRC'd frames, generic and
// command-specific responses, data phases) over UART framing and over USB-HID reports.
#include "host_ops.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::Reader in(fuzz::bytes_of(data, size));
    const auto flags = in.number<std::uint8_t>();
    if (!flags)
        return 0;
    const bool hid = (*flags & 1) != 0;
    fuzz::ScriptedLink link(hid);
    proto::McuBootClient client(link, std::chrono::milliseconds(1));
    client.set_retries(*flags >> 1 & 3);
    while (const auto op = fuzz::next_host_operation(in)) {
        link.next_operation(op->device_bytes, op->arg);
        fuzz::expect_parse_or_reject([&] { fuzz::run_mboot_op(client, *op, hid); });
    }
    return 0;
}
