ALTER TYPE "public"."timeframe" ADD VALUE '1m' BEFORE '15m';--> statement-breakpoint
ALTER TYPE "public"."timeframe" ADD VALUE '5m' BEFORE '15m';