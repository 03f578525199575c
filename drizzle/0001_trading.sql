CREATE TYPE "public"."account_mode" AS ENUM('live', 'sandbox', 'paper');--> statement-breakpoint
CREATE TYPE "public"."fill_liquidity" AS ENUM('maker', 'taker');--> statement-breakpoint
CREATE TYPE "public"."market_type" AS ENUM('spot', 'swap');--> statement-breakpoint
CREATE TYPE "public"."order_kind" AS ENUM('regular', 'stop_loss', 'take_profit');--> statement-breakpoint
CREATE TYPE "public"."order_side" AS ENUM('buy', 'sell');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('open', 'closed', 'canceled', 'rejected', 'expired');--> statement-breakpoint
CREATE TYPE "public"."order_type" AS ENUM('market', 'limit');--> statement-breakpoint
CREATE TYPE "public"."pending_direction" AS ENUM('above', 'below');--> statement-breakpoint
CREATE TYPE "public"."pending_order_status" AS ENUM('PENDING', 'TRIGGERED', 'CANCELLED', 'EXPIRED');--> statement-breakpoint
CREATE TYPE "public"."position_side" AS ENUM('long', 'short');--> statement-breakpoint
CREATE TYPE "public"."trade_source" AS ENUM('manual', 'signal', 'pending', 'bot');--> statement-breakpoint
CREATE TYPE "public"."trade_status" AS ENUM('opening', 'open', 'closed', 'cancelled');--> statement-breakpoint
CREATE TABLE "equity_snapshots" (
	"account_id" text NOT NULL,
	"ts" bigint NOT NULL,
	"equity" numeric NOT NULL,
	"balance" numeric NOT NULL,
	"unrealized_pnl" numeric NOT NULL,
	CONSTRAINT "equity_snapshots_pk" PRIMARY KEY("account_id","ts")
);
--> statement-breakpoint
CREATE TABLE "exchange_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"exchange" text NOT NULL,
	"market_type" "market_type" NOT NULL,
	"mode" "account_mode" NOT NULL,
	"api_key_enc" text,
	"secret_enc" text,
	"passphrase_enc" text,
	"api_key_last4" text,
	"paper_balances" jsonb,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "exchange_accounts_user_name_uq" UNIQUE("user_id","name")
);
--> statement-breakpoint
CREATE TABLE "fills" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"order_id" text NOT NULL,
	"client_order_id" text,
	"exchange_fill_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" "order_side" NOT NULL,
	"price" numeric NOT NULL,
	"amount" numeric NOT NULL,
	"fee" numeric NOT NULL,
	"fee_currency" text NOT NULL,
	"liquidity" "fill_liquidity" NOT NULL,
	"ts" bigint NOT NULL,
	CONSTRAINT "fills_account_exchange_fill_uq" UNIQUE("account_id","exchange_fill_id")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"exchange_order_id" text,
	"client_order_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" "order_side" NOT NULL,
	"type" "order_type" NOT NULL,
	"kind" "order_kind" DEFAULT 'regular' NOT NULL,
	"status" "order_status" NOT NULL,
	"amount" numeric NOT NULL,
	"filled" numeric DEFAULT '0' NOT NULL,
	"price" numeric,
	"average" numeric,
	"trigger_price" numeric,
	"reduce_only" boolean DEFAULT false NOT NULL,
	"fee" numeric DEFAULT '0' NOT NULL,
	"fee_currency" text,
	"trade_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "orders_account_client_uq" UNIQUE("account_id","client_order_id")
);
--> statement-breakpoint
CREATE TABLE "paper_state" (
	"account_id" text PRIMARY KEY NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" "position_side" NOT NULL,
	"amount" numeric NOT NULL,
	"trigger_price" numeric NOT NULL,
	"direction" "pending_direction" NOT NULL,
	"stop_loss" numeric,
	"take_profits" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"leverage" integer DEFAULT 1 NOT NULL,
	"source_signal_id" text,
	"status" "pending_order_status" DEFAULT 'PENDING' NOT NULL,
	"expires_at" bigint,
	"triggered_at" bigint,
	"trade_id" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "position_snapshots" (
	"account_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" "position_side" NOT NULL,
	"amount" numeric NOT NULL,
	"entry_price" numeric NOT NULL,
	"mark_price" numeric,
	"unrealized_pnl" numeric NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "position_snapshots_pk" PRIMARY KEY("account_id","symbol","side","updated_at")
);
--> statement-breakpoint
CREATE TABLE "trades" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" "position_side" NOT NULL,
	"status" "trade_status" DEFAULT 'opening' NOT NULL,
	"leverage" integer DEFAULT 1 NOT NULL,
	"entry_price" numeric,
	"amount" numeric NOT NULL,
	"closed_amount" numeric DEFAULT '0' NOT NULL,
	"realized_pnl" numeric DEFAULT '0' NOT NULL,
	"realized_pnl_pct" numeric DEFAULT '0' NOT NULL,
	"fees" numeric DEFAULT '0' NOT NULL,
	"stop_loss" jsonb,
	"take_profits" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"breakeven_after_tp1" boolean DEFAULT false NOT NULL,
	"source" "trade_source" DEFAULT 'manual' NOT NULL,
	"source_ref" text,
	"close_reason" text,
	"state" jsonb,
	"opened_at" bigint NOT NULL,
	"closed_at" bigint
);
--> statement-breakpoint
ALTER TABLE "equity_snapshots" ADD CONSTRAINT "equity_snapshots_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exchange_accounts" ADD CONSTRAINT "exchange_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fills" ADD CONSTRAINT "fills_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_trade_id_trades_id_fk" FOREIGN KEY ("trade_id") REFERENCES "public"."trades"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_state" ADD CONSTRAINT "paper_state_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_orders" ADD CONSTRAINT "pending_orders_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_orders" ADD CONSTRAINT "pending_orders_trade_id_trades_id_fk" FOREIGN KEY ("trade_id") REFERENCES "public"."trades"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "position_snapshots" ADD CONSTRAINT "position_snapshots_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trades" ADD CONSTRAINT "trades_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fills_account_order_idx" ON "fills" USING btree ("account_id","order_id");--> statement-breakpoint
CREATE INDEX "orders_account_exchange_idx" ON "orders" USING btree ("account_id","exchange_order_id");--> statement-breakpoint
CREATE INDEX "orders_trade_idx" ON "orders" USING btree ("trade_id");--> statement-breakpoint
CREATE INDEX "pending_orders_status_idx" ON "pending_orders" USING btree ("status","account_id");--> statement-breakpoint
CREATE INDEX "trades_account_status_idx" ON "trades" USING btree ("account_id","status","opened_at");