// Transport tests over real kernel objects: a pty pair (UART) and socketpairs (sim: framing).

#include "rtprov/transport/transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::transport {
namespace {

using std::chrono::milliseconds;

struct Pty {
    int master = -1;
    std::string slave;
    Pty() {
        master = ::posix_openpt(O_RDWR | O_NOCTTY);
        EXPECT_GE(master, 0);
        EXPECT_EQ(::grantpt(master), 0);
        EXPECT_EQ(::unlockpt(master), 0);
        slave = ::ptsname(master);
    }
    ~Pty() { ::close(master); }
    Bytes read_master(std::size_t n) {
        Bytes out(n);
        std::size_t done = 0;
        while (done < n) {
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, 2000) <= 0)
                break;
            ssize_t r = ::read(master, out.data() + done, n - done);
            if (r <= 0)
                break;
            done += static_cast<std::size_t>(r);
        }
        out.resize(done);
        return out;
    }
};

std::string error_of(auto&& fn, ErrorCode code) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        return e.what();
    }
    return "(no error)";
}

// Two rtprov processes on one UART interleaved their bytes: the port is locked while open. The
// lock is per open, so a second open in this process stands for a second process.
TEST(Uart, ASecondOpenOfAPortIsRefusedNamingTheHolder) {
    Pty pty;
    {
        auto first = open_uart(pty.slave, 115200);
        const std::string e = error_of([&] { open_uart(pty.slave, 115200); }, ErrorCode::Device);
        EXPECT_EQ(e.rfind(fmt::format("{} is in use by PID {} (", pty.slave, ::getpid()), 0), 0u)
            << e;
        EXPECT_NE(e.find("): one port is driven by one process at a time"), std::string::npos) << e;
    }
    // Closed: free again.
    EXPECT_NE(open_uart(pty.slave, 115200), nullptr);
}

TEST(Uart, RawBytesBothWaysOverPty) {
    Pty pty;
    auto t = open_uart(pty.slave, 921600);
    EXPECT_FALSE(t->is_hid());
    EXPECT_EQ(t->describe(), "uart:" + pty.slave + ",921600");
    // Bytes a cooked tty would translate (CR, ^C, ^D, 0xFF) must pass unchanged.
    const Bytes out{0x5A, 0xA6, 0x0D, 0x0A, 0x03, 0x04, 0x11, 0xFF, 0x00};
    t->write(out);
    EXPECT_EQ(pty.read_master(out.size()), out);
    const Bytes in{0x5A, 0xA7, 0x0D, 0x03, 0x13, 0x00, 0xFF};
    ASSERT_EQ(::write(pty.master, in.data(), in.size()), static_cast<ssize_t>(in.size()));
    Bytes got(in.size());
    read_exact(*t, got, milliseconds(1000));
    EXPECT_EQ(got, in);
}

TEST(Uart, TimeoutFlushAndBaudChange) {
    Pty pty;
    auto t = open_uart(pty.slave, 115200);
    std::uint8_t buf[4];
    EXPECT_EQ(t->read(buf, milliseconds(20)), 0u);
    EXPECT_EQ(error_of([&] { read_exact(*t, buf, milliseconds(20)); }, ErrorCode::Device),
              "uart:" + pty.slave + ",115200: timeout after 20 ms waiting for 4 more bytes");
    const Bytes stale{1, 2, 3};
    ASSERT_EQ(::write(pty.master, stale.data(), 3), 3);
    ::usleep(20000);
    t->flush();
    EXPECT_EQ(t->read(buf, milliseconds(20)), 0u);
    t->set_baud_rate(460800);
    EXPECT_EQ(t->describe(), "uart:" + pty.slave + ",460800");
    EXPECT_EQ(error_of([&] { t->set_baud_rate(12345); }, ErrorCode::Usage),
              "unsupported baud rate 12345 (use 9600..2000000, e.g. 115200 or 921600)");
    EXPECT_EQ(error_of([&] { t->write_report(1, Bytes{}); }, ErrorCode::Internal),
              "uart:" + pty.slave +
                  ",460800: write_report is not available on a byte-stream "
                  "transport");
}

TEST(Uart, MissingPort) {
    EXPECT_EQ(
        error_of([] { open_transport("uart:/dev/nonexistent-tty,115200"); }, ErrorCode::Device),
        "cannot open serial port /dev/nonexistent-tty: No such file or directory");
}

TEST(Socket, HidReportFramingRoundTrip) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto host = socket_transport_from_fd(sv[0], true, "sim:test");
    auto dev = socket_transport_from_fd(sv[1], true, "sim:device");
    EXPECT_TRUE(host->is_hid());
    Bytes big(1024, 0xAB);
    host->write_report(2, big);
    host->write_report(1, Bytes{1, 2, 3});
    auto r1 = dev->read_report(milliseconds(1000));
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->id, 2);
    EXPECT_EQ(r1->data, big);
    auto r2 = dev->read_report(milliseconds(1000));
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->id, 1);
    EXPECT_EQ(r2->data, (Bytes{1, 2, 3}));
    EXPECT_FALSE(host->read_report(milliseconds(10)));
    dev->write_report(3, Bytes{});
    auto r3 = host->read_report(milliseconds(1000));
    ASSERT_TRUE(r3);
    EXPECT_EQ(r3->id, 3);
    EXPECT_TRUE(r3->data.empty());
}

TEST(Socket, WireBytesAreIdLengthPayload) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto host = socket_transport_from_fd(sv[0], true, "sim:test");
    host->write_report(4, Bytes{0xAA, 0xBB});
    std::uint8_t b[5];
    ASSERT_EQ(::read(sv[1], b, 5), 5);
    EXPECT_EQ(Bytes(b, b + 5), (Bytes{4, 2, 0, 0xAA, 0xBB}));
    // Oversized length from the device side is rejected, not allocated.
    const std::uint8_t bad[3] = {3, 0xFF, 0xFF};
    ASSERT_EQ(::write(sv[1], bad, 3), 3);
    EXPECT_EQ(error_of([&] { host->read_report(milliseconds(500)); }, ErrorCode::Device),
              "sim:test: report 3 announces 65535 bytes, more than 1088");
    ::close(sv[1]);
}

TEST(Socket, ClosedPeerAndTruncatedFrame) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto host = socket_transport_from_fd(sv[0], true, "sim:test");
    const std::uint8_t partial[4] = {3, 4, 0, 0x12};
    ASSERT_EQ(::write(sv[1], partial, 4), 4);
    ::close(sv[1]);
    EXPECT_EQ(error_of([&] { host->read_report(milliseconds(500)); }, ErrorCode::Device),
              "sim:test: connection closed by the device");
}

// Writing to a device that went away is a named error, not a SIGPIPE killing the host process.
TEST(Socket, WriteToAClosedPeerIsAnErrorNotASignal) {
    for (const bool hid : {true, false}) {
        int sv[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        auto host = socket_transport_from_fd(sv[0], hid, "sim:test");
        ::close(sv[1]);
        EXPECT_EQ(error_of(
                      [&] {
                          if (hid) {
                              host->write_report(1, Bytes(16, 0));
                          } else {
                              host->write(Bytes(16, 0));
                          }
                      },
                      ErrorCode::Device),
                  "sim:test: connection closed by the device");
    }
}

TEST(Socket, ByteStreamMode) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto host = socket_transport_from_fd(sv[0], false, "sim-uart:test");
    host->write(Bytes{0x5A, 0xA6});
    std::uint8_t b[2];
    ASSERT_EQ(::read(sv[1], b, 2), 2);
    EXPECT_EQ(b[1], 0xA6);
    EXPECT_EQ(error_of([&] { host->read_report(milliseconds(1)); }, ErrorCode::Internal),
              "sim-uart:test: read_report is not available on a byte-stream transport");
    ::close(sv[1]);
}

TEST(OpenTransport, UriErrors) {
    EXPECT_EQ(error_of([] { open_transport("ttyACM0"); }, ErrorCode::Usage),
              "bad port 'ttyACM0': no scheme (expected uart:DEV[,BAUD], usb:VID:PID[,SERIAL], "
              "usb:path=PATH, usb:port=PORT, sim:SOCKET or sim-uart:SOCKET)");
    EXPECT_EQ(
        error_of([] { open_transport("usb:port=1-1;rm"); }, ErrorCode::Usage),
        "bad port 'usb:port=1-1;rm': a USB port path is like 1-1.2 (expected uart:DEV[,BAUD], "
        "usb:VID:PID[,SERIAL], usb:path=PATH, usb:port=PORT, sim:SOCKET or sim-uart:SOCKET)");
    EXPECT_NE(error_of([] { open_transport("usb:1fc9"); }, ErrorCode::Usage)
                  .find("missing ':' between VID and PID"),
              std::string::npos);
    EXPECT_NE(error_of([] { open_transport("uart:/dev/x,fast"); }, ErrorCode::Usage)
                  .find("baud rate must be a decimal number"),
              std::string::npos);
    EXPECT_NE(error_of([] { open_transport("tcp:1.2.3.4"); }, ErrorCode::Usage)
                  .find("unknown scheme 'tcp'"),
              std::string::npos);
    EXPECT_EQ(error_of([] { open_transport("sim:/nonexistent/sock"); }, ErrorCode::Device),
              "cannot connect to simulator at /nonexistent/sock: No such file or directory");
}

// A sysfs tree as Linux lays it out for two RT1020s on a hub: the port of each hidraw node.
TEST(UsbHid, UsbPortPathsComeFromSysfs) {
    rtprov::test::TempDir sys;
    const auto usb = sys / "devices/pci0000:00/0000:00:14.0/usb1/1-1";
    const auto one = usb / "1-1.2/1-1.2:1.0/0003:1FC9:0130.0005";
    const auto two = usb / "1-1.3/1-1.3:1.0/0003:15A2:0073.0006";
    std::filesystem::create_directories(one);
    std::filesystem::create_directories(two);
    std::filesystem::create_directories(sys / "class/hidraw/hidraw3");
    std::filesystem::create_directories(sys / "class/hidraw/hidraw4");
    std::filesystem::create_symlink(one, sys / "class/hidraw/hidraw3/device");
    std::filesystem::create_symlink(two, sys / "class/hidraw/hidraw4/device");
    EXPECT_EQ(usb_port_of("/dev/hidraw3", sys.path()), "1-1.2");
    EXPECT_EQ(usb_port_of("/dev/hidraw4", sys.path()), "1-1.3");
    EXPECT_EQ(usb_port_of("/dev/hidraw9", sys.path()), "");
    EXPECT_EQ(usb_port_of("1-2:1.0", sys.path()), "");
    EXPECT_EQ(error_of([] { open_transport("usb:port=9-9.9"); }, ErrorCode::Device),
              "no USB-HID device at USB port 9-9.9");
}

TEST(UsbHid, EnumerationAndMissingDeviceDoNotCrash) {
    (void)enumerate_hid();
    (void)enumerate_hid(0x1FC9, 0x0130);
    // 0x0000:0x0001 is never a real device.
    EXPECT_EQ(error_of([] { open_transport("usb:0:1"); }, ErrorCode::Device),
              "no USB-HID device 0000:0001 found");
}

}  // namespace
}  // namespace rtprov::transport
