# The corpus's declarative tests: CORPUS_TEST_COUNT ordinary bpf_add_test()
# calls (bench/run times `ctest -j2` over them: thousand_tests_seconds), and
# bench.declarative, the single test bench/run times against a bpftool script
# and against its bare kernel work.
#
# Test i belongs to family i % (number of families) and takes its
# parameters (addresses, ports, lengths, repeat counts) from i, so that every
# test checks a different packet: what a project with many tests of a few
# programs looks like. Families whose object is not built are left out.
set(CORPUS_TEST_COUNT 1000 CACHE STRING "Number of declarative tests of the corpus")

# Ethernet + IPv4 + UDP headers, and Ethernet + VLAN + IPv6 + TCP.
set(_corpus_udp4_headers 42)
set(_corpus_tcp6_vlan_headers 78)

function(_corpus_parser_udp i)
  math(EXPR a "${i} / 250 % 250")
  math(EXPR b "${i} % 250 + 1")
  math(EXPR sport "1024 + ${i} % 60000")
  math(EXPR len "${i} % 64")
  math(EXPR bytes "${_corpus_udp4_headers} + ${len}")
  bpf_add_test(corpus.xdp_parser.udp.${i} OBJECT xdp_parser PROGRAM classify
    PACKET "eth/ipv4(src=10.${a}.0.${b},dst=10.0.0.2)/udp(sport=${sport},dport=53)/payload(len=${len})"
    EXPECT_RETVAL XDP_PASS
    EXPECT_MAP "class_counts[1] == {frames=1, bytes=${bytes}}" "class_counts[4] == {frames=1, bytes=${bytes}}")
endfunction()

function(_corpus_parser_tcp6_vlan i)
  math(EXPR vlan "1 + ${i} % 4094")
  math(EXPR runs "1 + ${i} % 5")
  math(EXPR bytes "${runs} * ${_corpus_tcp6_vlan_headers}")
  bpf_add_test(corpus.xdp_parser.tcp6_vlan.${i} OBJECT xdp_parser PROGRAM classify
    PACKET "eth/vlan(id=${vlan})/ipv6/tcp(sport=40000,dport=443)" REPEAT ${runs}
    SET_GLOBAL "watched_port=443"
    EXPECT_RETVAL XDP_PASS
    EXPECT_MAP "class_counts[2] == {frames=${runs}, bytes=${bytes}}"
               "class_counts[3] == {frames=${runs}, bytes=${bytes}}" "watched_hits[0] == ${runs}")
endfunction()

function(_corpus_parser_truncated i)
  math(EXPR len "1 + ${i} % 19")
  math(EXPR bytes "14 + ${len}")
  bpf_add_test(corpus.xdp_parser.truncated.${i} OBJECT xdp_parser PROGRAM classify
    PACKET "eth(type=0x0800)/payload(len=${len})" SET_GLOBAL "drop_truncated=1"
    EXPECT_RETVAL XDP_DROP EXPECT_MAP "class_counts[7] == {frames=1, bytes=${bytes}}")
endfunction()

function(_corpus_firewall_deny i)
  math(EXPR a "${i} / 250 % 250")
  math(EXPR b "${i} % 250")
  math(EXPR host "1 + ${i} % 254")
  bpf_add_test(corpus.xdp_firewall.deny.${i} OBJECT xdp_firewall PROGRAM firewall
    SET_MAP "deny_sources[{prefixlen=24, addr=[10, ${a}, ${b}, 0]}]=0"
    PACKET "eth/ipv4(src=10.${a}.${b}.${host},dst=10.255.0.1)/udp(dport=53)"
    EXPECT_RETVAL XDP_DROP
    EXPECT_MAP "fw_counters[0] == {passed=0, dropped_by_prefix=1, dropped_by_port=0}"
               "deny_sources[{prefixlen=24, addr=[10, ${a}, ${b}, 0]}] == 1")
endfunction()

function(_corpus_firewall_pass i)
  math(EXPR a "${i} / 250 % 250")
  math(EXPR b "${i} % 250")
  math(EXPR other "(${b} + 1) % 250")
  bpf_add_test(corpus.xdp_firewall.pass.${i} OBJECT xdp_firewall PROGRAM firewall
    SET_MAP "deny_sources[{prefixlen=24, addr=[10, ${a}, ${b}, 0]}]=0"
    PACKET "eth/ipv4(src=10.${a}.${other}.1,dst=10.255.0.1)/tcp(dport=22)"
    EXPECT_RETVAL XDP_PASS
    EXPECT_MAP "fw_counters[0] == {passed=1, dropped_by_prefix=0, dropped_by_port=0}")
endfunction()

function(_corpus_firewall_port i)
  math(EXPR port "1 + ${i} % 65535")
  bpf_add_test(corpus.xdp_firewall.port.${i} OBJECT xdp_firewall PROGRAM firewall
    SET_MAP "deny_ports[${port}]=1"
    PACKET "eth/ipv4/udp(sport=5000,dport=${port})/payload(len=8)"
    EXPECT_RETVAL XDP_DROP
    EXPECT_MAP "fw_counters[0] == {passed=0, dropped_by_prefix=0, dropped_by_port=1}")
endfunction()

function(_corpus_flowcount i)
  math(EXPR sport "1024 + ${i} % 60000")
  math(EXPR runs "1 + ${i} % 8")
  bpf_add_test(corpus.tc_flowcount.flow.${i} OBJECT tc_flowcount PROGRAM count_flows
    PACKET "eth/ipv4(src=192.168.1.10,dst=192.168.1.20)/udp(sport=${sport},dport=53)/payload(len=20)"
    REPEAT ${runs} EXPECT_RETVAL TC_ACT_OK EXPECT_MAP "count(flows) == 1")
endfunction()

function(_corpus_ratelimit i)
  math(EXPR burst "1 + ${i} % 10")
  math(EXPR runs "1 + ${i} % 16")
  if(runs GREATER burst)
    set(passed ${burst})
    math(EXPR dropped "${runs} - ${burst}")
    set(retval TC_ACT_SHOT)
  else()
    set(passed ${runs})
    set(dropped 0)
    set(retval TC_ACT_OK)
  endif()
  # One token a second: no refill during the test's runs.
  bpf_add_test(corpus.tc_ratelimit.burst.${i} OBJECT tc_ratelimit PROGRAM limit_rate
    SET_GLOBAL "burst=${burst}" "packets_per_second=1"
    PACKET "eth/ipv4(src=172.16.${burst}.${runs})/udp/payload(len=64)" REPEAT ${runs}
    EXPECT_RETVAL ${retval}
    EXPECT_MAP "limiter[0] == {passed=${passed}, dropped=${dropped}, new_sources=1}")
endfunction()

function(_corpus_lb i)
  math(EXPR mac "${i} % 256")
  math(EXPR backend "167772160 + ${i}")  # 10.0.0.0 + i, as the kernel stores it
  bpf_add_test(corpus.xdp_lb.balance.${i} OBJECT xdp_lb PROGRAM balance
    SET_GLOBAL "backend_count=1"
    SET_MAP "backends[0]={addr=${backend}, mac=[2, 0, 0, 0, 0, ${mac}], weight=1}"
    PACKET "eth/ipv4(dst=10.1.1.1)/udp(sport=${i},dport=8080)/payload(len=16)"
    EXPECT_RETVAL XDP_TX
    EXPECT_MAP "lb_counters[0] == {balanced=1, not_for_us=0, no_backend=0}")
endfunction()

function(_corpus_sockfilter i)
  math(EXPR len "${i} % 200")
  math(EXPR kept "28 + ${len}")  # the socket sees the IP packet, without Ethernet
  bpf_add_test(corpus.sockfilter.dns.${i} OBJECT sockfilter PROGRAM keep_port
    PACKET "eth/ipv4/udp(dport=53)/payload(len=${len})"
    EXPECT_RETVAL ${kept} EXPECT_MAP "per_protocol[17] == 1")
endfunction()

# Tracing programs cannot be test-run: their tests load them and hold the
# verifier to a budget (about four times what this kernel's verifier
# processes, so that other verifiers pass too).
set(_corpus_budgets
  minimal:handle_write:100 bootstrap:handle_exec:300 bootstrap:handle_exit:400
  execsnoop:tracepoint__syscalls__sys_enter_execve:4000
  execsnoop:tracepoint__syscalls__sys_exit_execve:300 exitsnoop:on_exit:400
  opensnoop:on_enter_openat:200 opensnoop:on_exit_openat:400 runqlat:on_wakeup:100
  runqlat:on_switch:4000 biolatency:on_issue:200 biolatency:on_complete:4000
  syscount:on_sys_enter:100 syscount:on_sys_exit:400 tcplife:on_state_change:800
  sigsnoop:kill_entry:200 sigsnoop:on_signal_generate:100 profile:do_sample:400
  cpudist:on_switch:4000 mountsnoop:mount_exit:400 hardirqs:on_irq_exit:600)

function(_corpus_budget i)
  set(available "")
  foreach(entry IN LISTS _corpus_budgets)
    string(REPLACE ":" ";" fields "${entry}")
    list(GET fields 0 object)
    if(TARGET ${object})
      list(APPEND available "${entry}")
    endif()
  endforeach()
  list(LENGTH available count)
  if(count EQUAL 0)
    return()
  endif()
  math(EXPR pick "${i} % ${count}")
  list(GET available ${pick} entry)
  string(REPLACE ":" ";" fields "${entry}")
  list(GET fields 0 object)
  list(GET fields 1 program)
  list(GET fields 2 budget)
  bpf_add_test(corpus.${object}.budget.${i} OBJECT ${object} PROGRAM ${program}
    MAX_VERIFIED_INSNS ${budget})
endfunction()

set(_corpus_families "")
foreach(family_object IN ITEMS
    parser_udp:xdp_parser parser_tcp6_vlan:xdp_parser parser_truncated:xdp_parser
    firewall_deny:xdp_firewall firewall_pass:xdp_firewall firewall_port:xdp_firewall
    flowcount:tc_flowcount ratelimit:tc_ratelimit lb:xdp_lb sockfilter:sockfilter
    budget:)
  string(REPLACE ":" ";" fields "${family_object}")
  list(GET fields 0 family)
  list(LENGTH fields n)
  set(object "")
  if(n GREATER 1)
    list(GET fields 1 object)
  endif()
  if(object STREQUAL "" OR TARGET ${object})
    list(APPEND _corpus_families ${family})
  endif()
endforeach()

list(LENGTH _corpus_families _corpus_family_count)
if(_corpus_family_count GREATER 0 AND CORPUS_TEST_COUNT GREATER 0)
  math(EXPR _corpus_last "${CORPUS_TEST_COUNT} - 1")
  foreach(i RANGE ${_corpus_last})
    math(EXPR pick "${i} % ${_corpus_family_count}")
    list(GET _corpus_families ${pick} family)
    cmake_language(CALL _corpus_${family} ${i})
  endforeach()
endif()

if(TARGET xdp_parser)
  # The test bench/run times three ways (its bpftool script does the same).
  bpf_add_test(bench.declarative OBJECT xdp_parser PROGRAM classify
    PACKET "eth/ipv4(src=10.0.0.1,dst=10.0.0.2)/udp(sport=1000,dport=53)/payload(len=16)"
    EXPECT_RETVAL XDP_PASS EXPECT_MAP "class_counts[4] == {frames=1, bytes=58}")
endif()
