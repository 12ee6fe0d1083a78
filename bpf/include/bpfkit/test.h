/* bpfkit/test.h: expectations written next to the BPF program they test.
 *
 *   #include <bpfkit/test.h>
 *
 *   SEC("xdp")
 *   BPFKIT_TEST_PACKET("eth/ipv4/udp(dport=53)")
 *   BPFKIT_EXPECT_RETVAL(XDP_DROP)
 *   int drop_dns(struct xdp_md *ctx) { ... }
 *
 *   SEC("xdp")
 *   BPFKIT_EXPECT_FAILURE("invalid access to packet")
 *   int reads_past_the_end(struct xdp_md *ctx) { ... }
 *
 * bpf_add_test(<test> OBJECT <name> ANNOTATED) registers one ctest test per
 * annotated program, named <test>.<program>. The annotations are BTF decl
 * tags ("bpfkit:<key>=<value>") on the program's function: they cost no
 * instructions and travel in the object's BTF, so the test runner reads them
 * from the linked object itself. clang drops btf_decl_tag in C++, so in a
 * C++ source they are `annotate` attributes, which bpfkit-check (the compile
 * step of C++ BPF sources) writes into the object as the same decl tags.
 *
 *   BPFKIT_EXPECT_SUCCESS          the verifier accepts the program
 *   BPFKIT_EXPECT_FAILURE(regex)   the verifier rejects it and its log matches
 *                                  regex (ECMAScript syntax); repeatable, all
 *                                  must match
 *   BPFKIT_EXPECT_RETVAL(value)    a test run returns value (a number or a
 *                                  name such as XDP_PASS, TC_ACT_SHOT)
 *   BPFKIT_TEST_PACKET(spec)       the test run's input packet (bpfkit packet
 *                                  spec, as in bpf_add_test(PACKET))
 *   BPFKIT_TEST_REPEAT(n)          run n times
 *   BPFKIT_MAX_VERIFIED_INSNS(n)   the verifier may process at most n
 *                                  instructions
 *   BPFKIT_EXPECT_MAP(expectation) as bpf_add_test(EXPECT_MAP), repeatable
 *   BPFKIT_MIN_KERNEL(version)     skip the test, with the reason, on a kernel
 *                                  older than version (6.6, 5.10.3)
 *   BPFKIT_REQUIRES(features)      skip it on a kernel that lacks one of the
 *                                  features, probed in that kernel: a string of
 *                                  prog:<type>, map:<type>, helper:<name>[@<type>]
 *                                  or kfunc:<name>, separated by spaces
 *                                  ("helper:bpf_loop map:ringbuf"); repeatable
 *
 * A program with BPFKIT_EXPECT_RETVAL, BPFKIT_TEST_PACKET or
 * BPFKIT_EXPECT_MAP is also run with BPF_PROG_TEST_RUN. Requirements are
 * checked before the program is loaded; a misspelled one fails the build
 * (when the annotated tests are listed), naming the program.
 */
#ifndef BPFKIT_TEST_H
#define BPFKIT_TEST_H

#ifdef __cplusplus
#define __bpfkit_tag(text) __attribute__((annotate("bpfkit:" text)))
#else
#define __bpfkit_tag(text) __attribute__((btf_decl_tag("bpfkit:" text)))
#endif
#define __bpfkit_str(x) #x

#define BPFKIT_EXPECT_SUCCESS __bpfkit_tag("success")
#define BPFKIT_EXPECT_FAILURE(regex) __bpfkit_tag("failure=" regex)
#define BPFKIT_EXPECT_RETVAL(value) __bpfkit_tag("retval=" __bpfkit_str(value))
#define BPFKIT_TEST_PACKET(spec) __bpfkit_tag("packet=" spec)
#define BPFKIT_TEST_REPEAT(n) __bpfkit_tag("repeat=" __bpfkit_str(n))
#define BPFKIT_MAX_VERIFIED_INSNS(n) __bpfkit_tag("max_verified_insns=" __bpfkit_str(n))
#define BPFKIT_EXPECT_MAP(expectation) __bpfkit_tag("expect_map=" expectation)
#define BPFKIT_MIN_KERNEL(version) __bpfkit_tag("min_kernel=" __bpfkit_str(version))
#define BPFKIT_REQUIRES(features) __bpfkit_tag("requires=" features)

#endif /* BPFKIT_TEST_H */
