"""Following the plan: status levels, reads and updates, subscriptions, the outbox's delivery, announcements, the status feed, evidence, overdue promises, the Decidim tracker, retention."""
