"""What people read: answers, alerts and digests, the progress chart, fitting text into platform limits."""
