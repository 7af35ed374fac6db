// Trust for irreversible steps (issue 24, point 3): every fuse flag needs a package whose
// signature a trust key confirmed, or allow_unsigned_fuses; the refusal comes before any board
// is touched, and the board's result says how the package stood.

#include <gtest/gtest.h>

#include "rtprov/write/board.hpp"
#include "write_test_support.hpp"

namespace rtprov::write {
namespace {

using test::SimBoard;

std::string refusal(const WriteOptions& o) {
    try {
        test::make_test_job(test::signed_spec(), o);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        return e.message();
    }
    return "accepted";
}

TEST(WriteTrust, EveryFuseFlagNeedsATrustedPackage) {
    WriteOptions o;
    EXPECT_FALSE(burns_fuses(o));
    o.burn_srk = true;
    EXPECT_TRUE(burns_fuses(o));
    EXPECT_EQ(refusal(o),
              "--burn-srk would burn fuses (irreversible), but the package is not signed: sign "
              "it (export-pkg --sign-key) and give its key with --trust-key FILE (or "
              "RTPROV_TRUST_KEY), or give --allow-unsigned-fuses to burn from an untrusted "
              "package on purpose (the records say so)");
    o = {};
    o.close = true;
    EXPECT_TRUE(refusal(o).starts_with("--close would burn fuses (irreversible)")) << refusal(o);
    o = {};
    o.burn_data_fuses = true;
    EXPECT_TRUE(refusal(o).starts_with("--burn-data-fuses would burn fuses")) << refusal(o);
    o.burn_srk = true;
    o.close = true;
    EXPECT_EQ(fuse_flags(o), "--burn-srk, --close, --burn-data-fuses");
}

TEST(WriteTrust, ASignedPackageNoTrustKeyCheckedIsNotTrustedEither) {
    pkg::Package p = test::make_package(test::signed_spec());
    p.signer = "0123abcd";  // what verify_package reports for a signature it did not check
    WriteOptions o;
    o.burn_srk = true;
    try {
        trust_for(p, o);
        FAIL() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage);
        EXPECT_NE(e.message().find("the package is signed by key 0123abcd, but no trust key was "
                                   "given to check it"),
                  std::string::npos)
            << e.message();
    }
    p.signature_trusted = true;  // as verify_package reports it with the signer's trust key
    EXPECT_EQ(trust_for(p, o), Trust::Trusted);
}

TEST(WriteTrust, WithoutFuseFlagsNothingIsAskedAndTheRunIsUnverified) {
    const Job job = test::make_test_job(test::signed_spec());
    EXPECT_EQ(job.trust, Trust::Unverified);
    EXPECT_EQ(trust_name(job.trust), "unverified");
}

TEST(WriteTrust, AllowUnsignedFusesBurnsAndTheResultSaysSo) {
    WriteOptions o;
    o.burn_srk = true;
    o.allow_unsigned_fuses = true;
    const Job job = test::make_test_job(test::signed_spec(), o);
    EXPECT_EQ(job.trust, Trust::UnsignedFuses);
    SimBoard board;
    board.start();
    const BoardResult r = write_board(job, o, board.port(), {});
    board.stop();
    ASSERT_EQ(r.outcome, Outcome::Passed) << r.error;
    EXPECT_EQ(r.trust, Trust::UnsignedFuses);
    EXPECT_EQ(trust_name(r.trust), "unsigned-fuses-allowed");
    EXPECT_EQ(board.chip().fuses().field("SRK_LOCK"), 1u);
}

// A job made for a run without fuse flags cannot be used to burn: the board refuses before it
// opens its port.
TEST(WriteTrust, TheBoardChecksItsOwnOptionsBeforeTheLinkIsOpened) {
    const Job job = test::make_test_job(test::signed_spec());
    WriteOptions o;
    o.burn_srk = true;
    bool opened = false;
    const Port port("board", [&]() -> std::unique_ptr<transport::Transport> {
        opened = true;
        throw Error(ErrorCode::Device, "no board");
    });
    const BoardResult r = write_board(job, o, port, {});
    EXPECT_FALSE(opened);
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_EQ(r.error_code, ErrorCode::Usage);
    EXPECT_TRUE(r.error.starts_with("--burn-srk would burn fuses (irreversible)")) << r.error;
}

}  // namespace
}  // namespace rtprov::write
