// DEK blobs of the simulated part: made by its flashloader's generate-key-blob (over the real
// MCUBoot codec, against rtprov's own client), opened only by the part that made them.

#include "rtprov/sim/key_blob.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/hab/csf.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/util/error.hpp"
#include "session_bench.hpp"

namespace rtprov::sim {
namespace {

using namespace std::chrono_literals;
namespace mb = proto::mboot;

const Bytes kDek{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};

Fuses part(std::uint64_t uid) {
    Fuses f(device::find_device("mimxrt1050"));
    f.set_uid(uid);
    return f;
}

TEST(KeyBlob, HasNxpsHeaderAndOpensOnThePartThatMadeIt) {
    const Fuses a = part(0x1111222233334444);
    const Bytes blob = make_key_blob(a, kDek);
    ASSERT_EQ(blob.size(), hab::kDekBlobSize);
    EXPECT_EQ(Bytes(blob.begin(), blob.begin() + 8),
              (Bytes{0x81, 0x00, 0x48, 0x43, 0x66, 0x55, 0x10, 0x00}));
    const OpenedKeyBlob opened = open_key_blob(a, blob);
    EXPECT_EQ(opened.fault, KeyBlobFault::None) << opened.reason;
    EXPECT_EQ(opened.dek, kDek);
    // The DEK is not in the blob in the clear.
    EXPECT_EQ(std::search(blob.begin(), blob.end(), kDek.begin(), kDek.end()), blob.end());
}

TEST(KeyBlob, DiffersAcrossCallsAndParts) {
    const Fuses a = part(0x1111222233334444), b = part(0x5555666677778888);
    const Bytes a1 = make_key_blob(a, kDek), a2 = make_key_blob(a, kDek);
    const Bytes b1 = make_key_blob(b, kDek);
    EXPECT_NE(a1, a2);
    EXPECT_NE(a1, b1);
    EXPECT_EQ(open_key_blob(a, a2).dek, kDek);
    EXPECT_EQ(open_key_blob(b, b1).dek, kDek);
}

TEST(KeyBlob, AnotherPartsBlobOrAChangedByteDoesNotOpen) {
    const Fuses a = part(0x1111222233334444), b = part(0x5555666677778888);
    const Bytes blob = make_key_blob(a, kDek);
    OpenedKeyBlob o = open_key_blob(b, blob);
    EXPECT_EQ(o.fault, KeyBlobFault::OtherPart);
    EXPECT_EQ(o.reason, "was made by another part (it does not open with this part's OTPMK)");
    EXPECT_TRUE(o.dek.empty());
    // Every byte after the header is covered: the wrapped key, the nonce, the DEK and the MAC.
    for (std::size_t i = 16; i < blob.size(); ++i) {
        Bytes bad = blob;
        bad[i] ^= 0x01;
        o = open_key_blob(a, bad);
        EXPECT_EQ(o.fault, KeyBlobFault::Damaged) << "byte " << i;
        EXPECT_EQ(o.reason, "is damaged (its MAC does not match)");
    }
    Bytes erased(hab::kDekBlobSize, 0xFF);
    o = open_key_blob(a, erased);
    EXPECT_EQ(o.fault, KeyBlobFault::NotABlob);
    EXPECT_EQ(o.reason, "header byte 0 is 0xFF, expected 0x81");
}

TEST(KeyBlob, OnlyAnAes128DekIsWrapped) {
    const Fuses a = part(1);
    for (std::size_t n : {0u, 24u, 32u}) {
        try {
            make_key_blob(a, Bytes(n, 7));
            ADD_FAILURE() << n;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Usage);
            EXPECT_EQ(std::string(e.what()),
                      fmt::format("DEK of {} bytes: the RT10xx DCP takes a 16-byte AES-128 DEK "
                                  "only",
                                  n));
        }
    }
}

// generate-key-blob through the simulated flashloader, with rtprov's client over UART and HID.
TEST(KeyBlobCommand, ClientGetsABlobThatOpensOnlyOnThatPart) {
    for (bool hid : {false, true}) {
        test::Bench bench(hid, nullptr, "mimxrt1050");
        bench.chip().fuses().set_uid(0x0102030405060708);
        test::load_flashloader(bench.host(), "mimxrt1050");
        proto::McuBootClient client(bench.host(), 2000ms);
        const Bytes blob1 = client.generate_key_blob(kDek);
        const Bytes blob2 = client.generate_key_blob(kDek, 1, hab::kDekBlobSize);  // 1 = OTPMK
        EXPECT_EQ(open_key_blob(bench.chip().fuses(), blob1).dek, kDek);
        EXPECT_EQ(open_key_blob(bench.chip().fuses(), blob2).dek, kDek);
        EXPECT_NE(blob1, blob2);
        EXPECT_EQ(open_key_blob(part(0x0102030405060709), blob1).fault, KeyBlobFault::OtherPart);
    }
}

std::uint32_t status_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const proto::McuBootStatusError& e) {
        return e.status();
    }
    return 0;
}

TEST(KeyBlobCommand, RefusesOtherKeysSizesAndPhases) {
    test::Bench bench(false, nullptr, "mimxrt1050");
    test::load_flashloader(bench.host(), "mimxrt1050");
    proto::McuBootClient client(bench.host(), 2000ms);
    const auto invalid = static_cast<std::uint32_t>(mb::Status::InvalidArgument);
    // ZMK and CMK (SNVS keys) and unknown selectors.
    for (std::uint32_t sel : {2u, 3u, 7u})
        EXPECT_EQ(status_of([&] { client.generate_key_blob(kDek, sel); }), invalid) << sel;
    // AES-192/256 DEKs: the RT10xx DCP takes AES-128 only.
    for (std::uint32_t n : {24u, 32u})
        EXPECT_EQ(status_of([&] { client.generate_key_blob(Bytes(n, 1), 0, 56 + n); }), invalid)
            << n;
    // Phase 1 without a DEK from phase 0, and an unknown phase.
    EXPECT_EQ(status_of([&] {
                  client.command(mb::make_command(mb::CommandTag::GenerateKeyBlob, {0, 72, 1}));
              }),
              invalid);
    EXPECT_EQ(status_of([&] {
                  client.command(mb::make_command(mb::CommandTag::GenerateKeyBlob, {0, 16, 2}));
              }),
              invalid);
    // The client still works after the refusals.
    EXPECT_EQ(open_key_blob(bench.chip().fuses(), client.generate_key_blob(kDek)).dek, kDek);
}

}  // namespace
}  // namespace rtprov::sim
