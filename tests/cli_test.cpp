#include <gtest/gtest.h>

#include "test_support.hpp"

namespace rtprov::test {
namespace {

TEST(Cli, VersionPrints) {
    auto r = run_command(std::string(RTPROV_BINARY) + " --version");
    EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace rtprov::test
