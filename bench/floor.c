/* The floor of offline analysis: a bare libpcap read loop touching every record (one byte
 * each, so the loop cannot be optimised away), used by bench/run.sh as the 1.0x reference
 * (docs/benchmarks.md). Build: cc -O2 floor.c -lpcap */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char** argv) {
  char err[PCAP_ERRBUF_SIZE];
  if (argc != 2) {
    fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
    return 1;
  }
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (!p) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  struct pcap_pkthdr* h;
  const u_char* d;
  unsigned long long n = 0, x = 0;
  while (pcap_next_ex(p, &h, &d) == 1) {
    n++;
    if (h->caplen > 0) x += d[h->caplen - 1];
  }
  printf("%llu packets %llu\n", n, x);
  pcap_close(p);
  return 0;
}
