#include "rtprov/sim/faults.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::sim {
namespace {

std::string error_of(std::string_view spec) {
    try {
        parse_fault_spec(spec);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(FaultSpec, ParsesEveryItem) {
    const FaultSpec s = parse_fault_spec(
        "drop=0.001,crc=0.01,nak=0.01,delay-ack=0.05:200ms,disconnect-after=300000,"
        "program-fail=0.001,power-loss-after=500000");
    EXPECT_DOUBLE_EQ(s.drop, 0.001);
    EXPECT_DOUBLE_EQ(s.crc, 0.01);
    EXPECT_DOUBLE_EQ(s.nak, 0.01);
    EXPECT_DOUBLE_EQ(s.delay_ack, 0.05);
    EXPECT_EQ(s.delay_ack_time, std::chrono::milliseconds(200));
    EXPECT_EQ(s.disconnect_after, 300000u);
    EXPECT_DOUBLE_EQ(s.program_fail, 0.001);
    EXPECT_EQ(s.power_loss_after, 500000u);
    EXPECT_EQ(parse_fault_spec(to_string(s)), s);
    EXPECT_EQ(parse_fault_spec(""), FaultSpec{});
    EXPECT_EQ(parse_fault_spec("delay-ack=1:2s").delay_ack_time, std::chrono::milliseconds(2000));
}

TEST(FaultSpec, ErrorsNameTheItem) {
    EXPECT_EQ(error_of("dorp=0.1"),
              "--faults: unknown fault 'dorp' (known: drop, crc, nak, delay-ack, "
              "disconnect-after, program-fail, power-loss-after)");
    EXPECT_EQ(error_of("drop=2"), "--faults: drop=2: probability must be between 0 and 1");
    EXPECT_EQ(error_of("nak"), "--faults: nak: expected key=value");
    EXPECT_EQ(error_of("disconnect-after=x"),
              "--faults: disconnect-after=x: expected a byte count");
}

TEST(FaultInjector, SameSeedSameFaults) {
    const FaultSpec s = parse_fault_spec("drop=0.5");
    FaultInjector a(s, 7);
    FaultInjector b(s, 7);
    int dropped = 0;
    for (int i = 0; i < 1000; ++i) {
        const bool x = a.drop_byte();
        EXPECT_EQ(x, b.drop_byte());
        dropped += x;
    }
    EXPECT_GT(dropped, 400);
    EXPECT_LT(dropped, 600);
    FaultInjector none(FaultSpec{}, 7);
    EXPECT_FALSE(none.drop_byte());
}

}  // namespace
}  // namespace rtprov::sim
